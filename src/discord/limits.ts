/**
 * Rate limiting for questions: at most `max` per person and at most `channelMax` per channel in any
 * `windowMs`. Someone over a limit gets one friendly note per window (`notify` true once), then silence
 * until the oldest question ages out. Both maps are bounded (least recently seen forgotten first), so a
 * flood from many users or channels cannot grow memory without limit.
 */
export interface RateLimitOptions {
  /** Questions per person per window. */
  max: number;
  windowMs: number;
  /** Questions per channel (everyone together) per window; unset or 0: no channel limit. */
  channelMax?: number;
  now?: () => number;
  /** Users tracked at most (least recently seen forgotten first), so memory stays bounded. */
  maxUsers?: number;
  /** Channels tracked at most. */
  maxChannels?: number;
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; retryAfterMs: number; notify: boolean; scope: 'user' | 'channel' };

export const DEFAULT_RATE_LIMIT = { max: 5, windowMs: 60_000, channelMax: 20 } as const;

interface Window {
  times: number[];
  notified: boolean;
}

/** Sliding windows of attempt times per key, in a map that never holds more than `maxKeys` entries. */
class BoundedWindows {
  private readonly map = new Map<string, Window>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The key's window with expired attempts dropped, marked as most recently seen. */
  private touch(key: string, now: number): Window {
    const entry = this.map.get(key) ?? { times: [], notified: false };
    entry.times = entry.times.filter((t) => now - t < this.windowMs);
    this.map.delete(key);
    this.map.set(key, entry);
    while (this.map.size > this.maxKeys) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    return entry;
  }

  /** Null when the key may go ahead now; otherwise the refusal (without recording anything). */
  check(key: string, now: number, scope: 'user' | 'channel'): RateDecision | null {
    const entry = this.touch(key, now);
    if (entry.times.length < this.max) return null;
    const retryAfterMs = Math.max(0, (entry.times[0] ?? now) + this.windowMs - now);
    const notify = !entry.notified;
    entry.notified = true;
    return { allowed: false, retryAfterMs, notify, scope };
  }

  record(key: string, now: number): void {
    const entry = this.touch(key, now);
    entry.times.push(now);
    entry.notified = false;
  }
}

export class RateLimiter {
  private readonly users: BoundedWindows;
  private readonly channels: BoundedWindows | null;
  private readonly now: () => number;

  constructor(opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.users = new BoundedWindows(opts.max, opts.windowMs, opts.maxUsers ?? 10_000);
    this.channels = opts.channelMax
      ? new BoundedWindows(opts.channelMax, opts.windowMs, opts.maxChannels ?? 10_000)
      : null;
  }

  /** How many users and channels are tracked now (bounded by `maxUsers` and `maxChannels`). */
  get sizes(): { users: number; channels: number } {
    return { users: this.users.size, channels: this.channels?.size ?? 0 };
  }

  /**
   * Records a question by `userId` in `channelId` and says whether it may go ahead. A refused question
   * counts against neither limit: a person over their limit does not use up the channel's, and a full
   * channel does not use up the person's.
   */
  take(userId: string, channelId?: string | null): RateDecision {
    const now = this.now();
    const byUser = this.users.check(userId, now, 'user');
    if (byUser) return byUser;
    if (this.channels && channelId) {
      const byChannel = this.channels.check(channelId, now, 'channel');
      if (byChannel) return byChannel;
      this.channels.record(channelId, now);
    }
    this.users.record(userId, now);
    return { allowed: true };
  }
}

/** "Please wait 42 seconds" — the friendly note for a person (or a channel) over the limit. */
export function rateLimitNote(retryAfterMs: number, scope: 'user' | 'channel' = 'user'): string {
  const s = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = `${s} second${s === 1 ? '' : 's'}`;
  return scope === 'channel'
    ? `This channel is asking a lot of questions at once — give me ${wait} and ask again. (Each channel gets a number of answers a minute so the bot stays useful for everyone.)`
    : `You're asking quickly — give me ${wait} and ask again. (Each person can ask a few questions a minute so everyone gets answers.)`;
}

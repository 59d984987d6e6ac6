/**
 * Per-user rate limiting: at most `max` questions in any `windowMs`. A user over the limit gets one
 * friendly note per window (`notify` true once), then silence until their oldest question ages out.
 */
export interface RateLimitOptions {
  max: number;
  windowMs: number;
  now?: () => number;
  /** Users tracked at most (oldest forgotten first), so memory stays bounded. */
  maxUsers?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number; notify: boolean };

export const DEFAULT_RATE_LIMIT = { max: 5, windowMs: 60_000 } as const;

export class RateLimiter {
  private readonly hits = new Map<string, { times: number[]; notified: boolean }>();
  private readonly now: () => number;
  private readonly maxUsers: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.maxUsers = opts.maxUsers ?? 10_000;
  }

  /** Records an attempt by `key` (a user id) and says whether it may go ahead. */
  take(key: string): RateDecision {
    const now = this.now();
    const entry = this.hits.get(key) ?? { times: [], notified: false };
    entry.times = entry.times.filter((t) => now - t < this.opts.windowMs);
    this.hits.delete(key);
    this.hits.set(key, entry);
    if (this.hits.size > this.maxUsers) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
    if (entry.times.length < this.opts.max) {
      entry.times.push(now);
      entry.notified = false;
      return { allowed: true };
    }
    const retryAfterMs = Math.max(0, (entry.times[0] ?? now) + this.opts.windowMs - now);
    const notify = !entry.notified;
    entry.notified = true;
    return { allowed: false, retryAfterMs, notify };
  }
}

/** "Please wait 42 seconds" — the friendly note for a user over the limit. */
export function rateLimitNote(retryAfterMs: number): string {
  const s = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `You're asking quickly — give me ${s} second${s === 1 ? '' : 's'} and ask again. (Each person can ask a few questions a minute so everyone gets answers.)`;
}

import { describe, expect, it } from 'vitest';
import { RateLimiter, rateLimitNote } from '../../src/discord/limits.js';

describe('RateLimiter', () => {
  it('allows max per window per user, notes once, then recovers', () => {
    let now = 0;
    const limiter = new RateLimiter({ max: 2, windowMs: 10_000, now: () => now });
    expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('other').allowed).toBe(true);
    expect(limiter.take('u')).toEqual({ allowed: false, retryAfterMs: 10_000, notify: true, scope: 'user' });
    now = 4000;
    expect(limiter.take('u')).toEqual({ allowed: false, retryAfterMs: 6000, notify: false, scope: 'user' });
    now = 10_000;
    expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('u')).toMatchObject({ allowed: false, notify: true });
  });

  it('forgets the oldest users beyond maxUsers', () => {
    const limiter = new RateLimiter({ max: 1, windowMs: 10_000, now: () => 0, maxUsers: 2 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('limits each channel too: one note for the channel, then silence; refusals use up neither budget', () => {
    let now = 0;
    const limiter = new RateLimiter({ max: 2, windowMs: 60_000, channelMax: 3, now: () => now });
    expect(limiter.take('a', 'c1').allowed).toBe(true);
    expect(limiter.take('b', 'c1').allowed).toBe(true);
    expect(limiter.take('c', 'c1').allowed).toBe(true);
    expect(limiter.take('d', 'c1')).toEqual({
      allowed: false,
      retryAfterMs: 60_000,
      notify: true,
      scope: 'channel',
    });
    expect(limiter.take('e', 'c1')).toMatchObject({ allowed: false, notify: false, scope: 'channel' });
    // d and e were refused by the channel: their own budgets are untouched, and other channels are open.
    expect(limiter.take('d', 'c2').allowed).toBe(true);
    expect(limiter.take('d', 'c2').allowed).toBe(true);
    expect(limiter.take('d', 'c2')).toMatchObject({ allowed: false, scope: 'user' });
    // A person over their limit does not use up the channel's budget.
    expect(limiter.take('d', 'c3')).toMatchObject({ allowed: false, scope: 'user' });
    expect(limiter.take('x', 'c3').allowed).toBe(true);
    expect(limiter.take('y', 'c3').allowed).toBe(true);
    expect(limiter.take('z', 'c3').allowed).toBe(true);
    now = 60_000;
    expect(limiter.take('e', 'c1').allowed).toBe(true);
  });

  it('without channelMax, or without a channel, only the per-person limit applies', () => {
    const limiter = new RateLimiter({ max: 1, windowMs: 60_000, now: () => 0 });
    for (let i = 0; i < 50; i++) expect(limiter.take(`u${i}`, 'c').allowed).toBe(true);
    const both = new RateLimiter({ max: 1, windowMs: 60_000, channelMax: 1, now: () => 0 });
    expect(both.take('a').allowed).toBe(true);
    expect(both.take('b').allowed).toBe(true);
    expect(both.sizes).toEqual({ users: 2, channels: 0 });
  });

  it('rateLimitNote is friendly and rounds up', () => {
    expect(rateLimitNote(1200)).toMatch(/give me 2 seconds/);
    expect(rateLimitNote(0)).toMatch(/give me 1 second and/);
    expect(rateLimitNote(5000, 'channel')).toMatch(/This channel is asking a lot.*give me 5 seconds/);
  });
});

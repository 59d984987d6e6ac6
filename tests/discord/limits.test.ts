import { describe, expect, it } from 'vitest';
import { RateLimiter, rateLimitNote } from '../../src/discord/limits.js';

describe('RateLimiter', () => {
  it('allows max per window per user, notes once, then recovers', () => {
    let now = 0;
    const limiter = new RateLimiter({ max: 2, windowMs: 10_000, now: () => now });
    expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('other').allowed).toBe(true);
    expect(limiter.take('u')).toEqual({ allowed: false, retryAfterMs: 10_000, notify: true });
    now = 4000;
    expect(limiter.take('u')).toEqual({ allowed: false, retryAfterMs: 6000, notify: false });
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

  it('rateLimitNote is friendly and rounds up', () => {
    expect(rateLimitNote(1200)).toMatch(/give me 2 seconds/);
    expect(rateLimitNote(0)).toMatch(/give me 1 second and/);
  });
});

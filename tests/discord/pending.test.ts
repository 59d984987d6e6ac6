import { describe, expect, it } from 'vitest';
import { FeedbackStore, feedbackRow } from '../../src/discord/feedback.js';
import { PENDING_TTL_MS, PendingAdds } from '../../src/discord/kb-add-url.js';
import type { Review } from '../../src/ingest/review.js';

const review = {} as Review;

describe('PendingAdds', () => {
  it('expires after 15 minutes, is taken once, and stays bounded', () => {
    let now = 0;
    const pending = new PendingAdds({ now: () => now, max: 3 });
    const p = pending.put({ userId: 'u', link: 'https://x', review });
    expect(p.id).toMatch(/^[0-9a-f]{16}$/);
    now = PENDING_TTL_MS;
    expect(pending.get(p.id)).toBe(p);
    now = PENDING_TTL_MS + 1;
    expect(pending.get(p.id)).toBeUndefined();
    const q = pending.put({ userId: 'u', link: 'https://y', review });
    expect(pending.take(q.id)).toBe(q);
    expect(pending.take(q.id)).toBeUndefined();
    for (let i = 0; i < 10; i++) pending.put({ userId: 'u', link: `https://${i}`, review });
    expect(pending.size).toBe(3);
  });
});

describe('FeedbackStore', () => {
  it('keeps the newest questions only, under short random keys that fit a custom id', () => {
    const store = new FeedbackStore(2);
    const a = store.remember({ question: 'a?', channelId: null, force: null });
    const b = store.remember({ question: 'b?', channelId: '1', force: 'kent' });
    const c = store.remember({ question: 'c?', channelId: '1', force: null });
    expect(store.get(a)).toBeUndefined();
    expect(store.get(b)?.question).toBe('b?');
    expect(store.get(c)?.question).toBe('c?');
    const row = feedbackRow(c);
    expect(
      row.components.map((x) => ('custom_id' in x ? x.custom_id : '')).every((id) => id.length <= 100),
    ).toBe(true);
  });
});

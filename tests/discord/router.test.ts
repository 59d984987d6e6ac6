import { describe, expect, it } from 'vitest';
import {
  ConversationStore,
  cleanQuestion,
  type IncomingMessage,
  isBusy,
  isQuestionLike,
  routeMessage,
} from '../../src/discord/router.js';

const BOT = '100000000000000010';
const ASK = '100000000000000003';
const GENERAL = '100000000000000002';

function msg(over: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    content: 'Is West Midlands Police in special measures?',
    authorId: '100000000000000020',
    authorIsBot: false,
    webhookId: null,
    system: false,
    channelId: GENERAL,
    parentChannelId: null,
    mentionsBot: false,
    replyToMessageId: null,
    ...over,
  };
}

function ctx(conversations = new ConversationStore()) {
  return { botId: BOT, askChannelIds: new Set([ASK]), conversations };
}

describe('routeMessage', () => {
  it('ignores itself, bots and webhooks, even when they mention it', () => {
    expect(routeMessage(msg({ authorId: BOT, mentionsBot: true }), ctx())).toMatchObject({
      action: 'ignore',
      reason: 'own message',
    });
    expect(routeMessage(msg({ authorIsBot: true, mentionsBot: true }), ctx())).toMatchObject({
      reason: 'bot',
    });
    expect(routeMessage(msg({ webhookId: '1', mentionsBot: true }), ctx())).toMatchObject({
      reason: 'webhook',
    });
    expect(routeMessage(msg({ system: true, channelId: ASK }), ctx())).toMatchObject({ action: 'ignore' });
  });

  it('answers a mention anywhere, without the mention in the question', () => {
    const r = routeMessage(
      msg({ content: `<@${BOT}> what did inspectors find about wiltshire`, mentionsBot: true }),
      ctx(),
    );
    expect(r).toEqual({
      action: 'answer',
      question: 'what did inspectors find about wiltshire',
      mode: 'mention',
      force: null,
    });
    expect(routeMessage(msg({ content: `<@!${BOT}>`, mentionsBot: true }), ctx())).toMatchObject({
      action: 'answer',
      question: '',
    });
  });

  it('answers question-like messages in listed channels (and their threads) only', () => {
    expect(routeMessage(msg({ channelId: ASK }), ctx())).toMatchObject({ action: 'answer', mode: 'channel' });
    expect(routeMessage(msg({ channelId: '9', parentChannelId: ASK }), ctx())).toMatchObject({
      mode: 'channel',
    });
    expect(routeMessage(msg({ channelId: ASK, content: 'thanks, that helps' }), ctx())).toMatchObject({
      action: 'ignore',
    });
    expect(routeMessage(msg(), ctx())).toMatchObject({
      action: 'ignore',
      reason: 'not addressed to the bot',
    });
  });

  it('follow-ups in a remembered thread, or replies to an answer, carry the force', () => {
    const store = new ConversationStore();
    store.remember(['thread-1', 'answer-1'], 'west-midlands');
    expect(routeMessage(msg({ channelId: 'thread-1', content: 'what did they say?' }), ctx(store))).toEqual({
      action: 'answer',
      question: 'what did they say?',
      mode: 'conversation',
      force: 'west-midlands',
    });
    expect(
      routeMessage(
        msg({ content: 'and what did they say?', replyToMessageId: 'answer-1', mentionsBot: true }),
        ctx(store),
      ),
    ).toMatchObject({ mode: 'mention', force: 'west-midlands' });
    expect(routeMessage(msg({ channelId: 'thread-1', content: 'cool' }), ctx(store))).toMatchObject({
      action: 'ignore',
    });
  });

  it('a DM is always for the bot; a reply to one of its messages (ping off) is, when it is a question', () => {
    expect(routeMessage(msg({ content: 'hello', direct: true }), ctx())).toMatchObject({
      action: 'answer',
      question: 'hello',
      mode: 'mention',
    });
    expect(routeMessage(msg({ content: '', direct: true }), ctx())).toMatchObject({
      action: 'answer',
      question: '',
    });
    expect(routeMessage(msg({ direct: true, authorIsBot: true }), ctx())).toMatchObject({ action: 'ignore' });
    expect(routeMessage(msg({ replyToMessageId: 'old', replyToBot: true }), ctx())).toMatchObject({
      action: 'answer',
      mode: 'conversation',
      force: null,
    });
    expect(
      routeMessage(msg({ content: 'thanks!', replyToMessageId: 'old', replyToBot: true }), ctx()),
    ).toMatchObject({ action: 'ignore' });
  });

  it('cuts very long questions', () => {
    const r = routeMessage(msg({ channelId: ASK, content: `why ${'x '.repeat(2000)}?` }), ctx());
    expect(r.action === 'answer' && r.question.length).toBe(500);
  });
});

describe('helpers', () => {
  it('isQuestionLike', () => {
    for (const q of [
      'is wmp in special measures?',
      'What did inspectors find about Wiltshire',
      '/status cleveland',
      'how many forces are in engage',
    ])
      expect(isQuestionLike(q), q).toBe(true);
    for (const q of ['lol', 'thanks all', 'good morning everyone', 'is', 'I met the chief'])
      expect(isQuestionLike(q), q).toBe(false);
  });

  it('cleanQuestion drops mention syntax and emoji', () => {
    expect(cleanQuestion('@everyone is <@123456789012345678> <@&123> in <#456> <:pog:789> engage?')).toBe(
      'is in engage?',
    );
  });

  it('ConversationStore expires, keeps the previous force on a null answer, and stays bounded', () => {
    let now = 0;
    const store = new ConversationStore({ ttlMs: 1000, max: 3, now: () => now });
    store.remember(['t'], 'wiltshire');
    store.remember(['t'], null);
    expect(store.get('t')?.force).toBe('wiltshire');
    now = 2000;
    expect(store.get('t')).toBeUndefined();
    store.remember(['a', 'b', 'c', 'd'], 'x');
    expect(store.has('a')).toBe(false);
    expect(store.has('d')).toBe(true);
  });

  it('isBusy counts other people in the window', () => {
    const recent = [
      { authorId: 'a', createdAt: 900 },
      { authorId: 'b', createdAt: 950 },
      { authorId: 'me', createdAt: 990 },
      { authorId: 'c', createdAt: 0 },
    ];
    expect(isBusy(recent, 'me', 1000, { messages: 2, windowMs: 200 })).toBe(true);
    expect(isBusy(recent, 'me', 1000, { messages: 3, windowMs: 200 })).toBe(false);
  });
});

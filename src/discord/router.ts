/**
 * Which channel messages the bot answers, and with which conversation context. Pure functions over a
 * small description of the message, so the rules are unit-tested without Discord.
 */

/** What the router needs to know about a message. */
export interface IncomingMessage {
  content: string;
  authorId: string;
  authorIsBot: boolean;
  /** Set for webhook (and most integration) messages. */
  webhookId: string | null;
  /** Whether the message is a system message (joins, pins…). */
  system: boolean;
  channelId: string;
  /** For a thread: its parent channel. */
  parentChannelId: string | null;
  /**
   * Whether the message addresses the bot by name: mentions the bot user (`<@id>` or `<@!id>`, or a reply
   * that pings it) or the bot's own managed role (`<@&role>`, which Discord's mention picker offers too).
   * Not @everyone, @here or other roles.
   */
  mentionsBot: boolean;
  /** The message this one replies to, if any. */
  replyToMessageId: string | null;
  /** Whether that message is one of the bot's (a reply with the ping switched off still addresses it). */
  replyToBot?: boolean;
  /** A direct message to the bot: everything in it is addressed to the bot. */
  direct?: boolean;
}

export interface RouterContext {
  botId: string;
  askChannelIds: ReadonlySet<string>;
  /** Conversations the bot is part of: thread ids and ids of its own answers. */
  conversations: ConversationStore;
}

export type Route =
  | { action: 'ignore'; reason: string }
  | {
      action: 'answer';
      question: string;
      /**
       * Mentioned or in a DM: always reply. Listed channel, followed-up conversation or a reply to one of the
       * bot's messages: reply only when answered.
       */
      mode: 'mention' | 'channel' | 'conversation';
      /** Force carried over from the conversation, for follow-ups ("what did they say?"). */
      force: string | null;
    };

/** Longest question passed to the engine (Discord messages can hold 4,000 characters). */
export const MAX_QUESTION = 500;

/** Decides whether and how to answer a message. */
export function routeMessage(m: IncomingMessage, ctx: RouterContext): Route {
  if (m.authorId === ctx.botId) return { action: 'ignore', reason: 'own message' };
  if (m.webhookId) return { action: 'ignore', reason: 'webhook' };
  if (m.authorIsBot) return { action: 'ignore', reason: 'bot' };
  if (m.system) return { action: 'ignore', reason: 'system message' };
  const question = stripBotMention(m.content, ctx.botId);
  const conversation =
    ctx.conversations.get(m.channelId) ??
    (m.replyToMessageId ? ctx.conversations.get(m.replyToMessageId) : undefined);
  const force = conversation?.force ?? null;
  if (m.mentionsBot || m.direct) {
    return { action: 'answer', question: question.slice(0, MAX_QUESTION), mode: 'mention', force };
  }
  if (!question) return { action: 'ignore', reason: 'empty' };
  const listed =
    ctx.askChannelIds.has(m.channelId) ||
    (m.parentChannelId !== null && ctx.askChannelIds.has(m.parentChannelId));
  if ((conversation || m.replyToBot) && isQuestionLike(question))
    return { action: 'answer', question: question.slice(0, MAX_QUESTION), mode: 'conversation', force };
  if (listed && isQuestionLike(question))
    return { action: 'answer', question: question.slice(0, MAX_QUESTION), mode: 'channel', force };
  return { action: 'ignore', reason: listed ? 'not a question' : 'not addressed to the bot' };
}

/**
 * Removes Discord's mention syntax (the bot's and anyone's `<@id>`, roles, channels, @everyone/@here) and
 * tidies the rest: they are addressing, not part of the question.
 */
export function stripBotMention(content: string, botId: string): string {
  return cleanQuestion(content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' '));
}

/** A question without Discord mention syntax or custom emoji, on one line. */
export function cleanQuestion(text: string): string {
  return text
    .replace(/<(?:@[!&]?|#)\d+>/g, ' ')
    .replace(/<a?:\w+:\d+>/g, ' ')
    .replace(/@(?:everyone|here)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[,:;\s]+/, '');
}

const QUESTION_START =
  /^(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|does|do|did|has|have|had|can|could|will|would|should|shall|tell me|show me|list|explain|any|status|findings|responses)\b/i;

/**
 * A message worth answering in a listed channel: a question mark, a question word first, or one of the
 * bot's commands typed as text ("/status west midlands"). Chatter ("thanks!", "lol") is not.
 */
export function isQuestionLike(text: string): boolean {
  const t = text.trim();
  if (t.length < 3) return false;
  if (/^\/(?:status|findings|responses|forces|sources)\b/i.test(t)) return true;
  if (/\?\s*$/.test(t) || /\?\s/.test(t)) return true;
  return QUESTION_START.test(t) && t.split(/\s+/).length >= 3;
}

/** What a conversation remembers: the force the last answer was about. */
export interface Conversation {
  force: string | null;
  at: number;
}

/**
 * Remembers conversations by thread id and by the id of each of the bot's answers, so a follow-up in the
 * thread (or a reply to an answer) keeps the force. Bounded and expiring.
 */
export class ConversationStore {
  private readonly map = new Map<string, Conversation>();

  constructor(private readonly opts: { ttlMs?: number; max?: number; now?: () => number } = {}) {}

  private get ttl(): number {
    return this.opts.ttlMs ?? 6 * 60 * 60_000;
  }

  get(key: string): Conversation | undefined {
    const c = this.map.get(key);
    if (!c) return undefined;
    if ((this.opts.now ?? Date.now)() - c.at > this.ttl) {
      this.map.delete(key);
      return undefined;
    }
    return c;
  }

  /** Records the force of an answer under each key (thread id, answer message id). A null force keeps the previous one. */
  remember(keys: readonly string[], force: string | null): void {
    const at = (this.opts.now ?? Date.now)();
    for (const key of keys) {
      const previous = this.get(key)?.force ?? null;
      this.map.delete(key);
      this.map.set(key, { force: force ?? previous, at });
    }
    const max = this.opts.max ?? 5000;
    while (this.map.size > max) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Conversations held now (at most `max`). */
  get size(): number {
    return this.map.size;
  }
}

/**
 * A channel is busy when others have spoken recently: then the answer goes in a thread started from the
 * question, so the conversation does not interleave with everyone else's.
 */
export function isBusy(
  recent: readonly { authorId: string; createdAt: number }[],
  asker: string,
  now: number,
  opts: { messages: number; windowMs: number },
): boolean {
  const others = recent.filter((m) => m.authorId !== asker && now - m.createdAt <= opts.windowMs);
  return others.length >= opts.messages;
}

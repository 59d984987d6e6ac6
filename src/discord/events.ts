import { randomBytes } from 'node:crypto';
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  DiscordAPIError,
  HTTPError,
  type Interaction,
  type Message,
  type MessageComponentInteraction,
  MessageFlags,
  MessageReferenceType,
  type ModalSubmitInteraction,
  RateLimitError,
} from 'discord.js';
import { cutText, renderAnswer, renderError, renderNotice } from '../render/discord.js';
import type { BotContext, Command } from './commands.js';
import { FEEDBACK_PREFIX, handleFeedbackButton, recordGap, withFeedback } from './feedback.js';
import { rateLimitNote } from './limits.js';
import { abilitiesFor, cannotPost, postReply, shapeFor } from './reply.js';
import { type ConversationStore, isBusy, MAX_QUESTION, routeMessage, stripBotMention } from './router.js';

export interface EventDeps {
  ctx: BotContext;
  commands: ReadonlyMap<string, Command>;
  askChannelIds: ReadonlySet<string>;
  conversations: ConversationStore;
  /** Answer in a thread when this many messages from others arrived in the window. */
  busy: { messages: number; windowMs: number };
  now?: () => number;
  /** Interactions already handled (Discord may deliver one twice around a reconnect). */
  seenInteractions?: RecentIds;
}

/** The last `max` ids seen, to handle each gateway event once. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 2000) {}

  /** Records `id`; false when it was seen already. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}

/** A short random id that ties an apology to its log line. */
export function newErrorId(): string {
  return randomBytes(4).toString('hex');
}

/** Every interaction gets an answer; an unexpected error gets an ephemeral apology with an error id. */
export async function handleInteraction(interaction: Interaction, deps: EventDeps): Promise<void> {
  const { logger } = deps.ctx;
  if (deps.seenInteractions && !deps.seenInteractions.add(interaction.id)) {
    logger.warn({ interaction: interaction.id }, 'the same interaction arrived twice; answered once');
    return;
  }
  if (interaction.isAutocomplete()) return handleAutocomplete(interaction, deps);
  if (interaction.isMessageComponent() || interaction.isModalSubmit())
    return handleComponent(interaction, deps);
  if (!interaction.isChatInputCommand()) {
    // A context menu command (or a kind this version does not know): the bot registers none of those.
    if (interaction.isRepliable())
      await interaction
        .reply({
          ...renderNotice(
            'I do not know that command: use /ask, /status, /findings, /responses, /forces or /sources.',
          ),
          flags: MessageFlags.Ephemeral,
        })
        .catch((err: unknown) => logger.warn({ err, interaction: interaction.id }, 'could not answer'));
    return;
  }
  const command = deps.commands.get(interaction.commandName);
  const log = logger.child({
    interaction: interaction.id,
    command: interaction.commandName,
    user: interaction.user.id,
  });
  try {
    if (!command) {
      await interaction.reply({
        ...renderNotice(
          'I do not know that command any more: the commands may need redeploying (npm run deploy).',
        ),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    if (command.rateLimited !== false) {
      const decision = deps.ctx.limiter.take(interaction.user.id, interaction.channelId);
      if (!decision.allowed) {
        await interaction.reply({
          ...renderNotice(rateLimitNote(decision.retryAfterMs, decision.scope)),
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
    }
    const started = Date.now();
    watchEdits(interaction);
    await command.execute(interaction, deps.ctx);
    log.info({ ms: Date.now() - started }, 'command answered');
  } catch (err) {
    await apologise(interaction, err, log);
  }
}

/** Interactions whose deferred reply the bot has tried to edit: the edit may have reached Discord. */
const editAttempted = new WeakSet<object>();

/**
 * Notes when a command edits its deferred reply, so an error thrown after Discord took the edit (discord.js
 * failing to read the message it got back) is not answered by overwriting the real answer with an apology.
 */
function watchEdits(interaction: ChatInputCommandInteraction): void {
  const edit = interaction.editReply.bind(interaction);
  interaction.editReply = ((options: Parameters<typeof edit>[0]) => {
    editAttempted.add(interaction);
    return edit(options);
  }) as typeof interaction.editReply;
}

/**
 * Buttons and modals: `fb:…` are the 👍 / 👎 on answers; `<command>:…` go to that command's
 * `handleComponent`. Anything else (a button from an older version) gets an ephemeral note.
 */
async function handleComponent(
  interaction: MessageComponentInteraction | ModalSubmitInteraction,
  deps: EventDeps,
): Promise<void> {
  const prefix = interaction.customId.split(':')[0] ?? '';
  const log = deps.ctx.logger.child({
    interaction: interaction.id,
    component: prefix,
    user: interaction.user.id,
  });
  try {
    if (prefix === FEEDBACK_PREFIX && interaction.isButton())
      return await handleFeedbackButton(interaction, deps.ctx);
    const command = deps.commands.get(prefix);
    if (command?.handleComponent && (interaction.isButton() || interaction.isModalSubmit()))
      return await command.handleComponent(interaction, deps.ctx);
    await interaction.reply({
      ...renderNotice(
        interaction.isModalSubmit()
          ? 'This form no longer works: run the command again.'
          : 'This button no longer works: run the command again.',
      ),
      flags: MessageFlags.Ephemeral,
    });
  } catch (err) {
    await apologise(interaction, err, log);
  }
}

/** 10062 Unknown interaction (the 3 s or 15 min window passed), 10015 Unknown Webhook, 40060 already acknowledged. */
const INTERACTION_GONE = new Set([10062, 10015, 40060]);

async function apologise(
  interaction: ChatInputCommandInteraction | MessageComponentInteraction | ModalSubmitInteraction,
  err: unknown,
  log: BotContext['logger'],
): Promise<void> {
  if (err instanceof DiscordAPIError && INTERACTION_GONE.has(Number(err.code))) {
    // Discord no longer takes answers to it (expired token, already answered): an apology would fail too.
    log.warn(
      { code: err.code, status: err.status, discordMessage: err.message },
      'could not answer: interaction gone',
    );
    return;
  }
  const errorId = newErrorId();
  log.error({ err, errorId }, 'command failed');
  const apology = { ...renderError(errorId), flags: MessageFlags.Ephemeral } as const;
  // After an edit that may have gone through (the error is not Discord refusing it), add the apology as a
  // follow-up rather than replace what the user may already see.
  const refused = err instanceof DiscordAPIError || err instanceof HTTPError || err instanceof RateLimitError;
  const mayHaveAnswered = editAttempted.has(interaction) && !refused;
  try {
    if (interaction.deferred && !interaction.replied && !mayHaveAnswered)
      await interaction.editReply(renderError(errorId));
    else if (interaction.replied || interaction.deferred) await interaction.followUp(apology);
    else await interaction.reply(apology);
  } catch (e) {
    log.error({ err: e, errorId }, 'could not send the apology');
  }
}

async function handleAutocomplete(interaction: AutocompleteInteraction, deps: EventDeps): Promise<void> {
  const command = deps.commands.get(interaction.commandName);
  try {
    if (command?.autocomplete) await command.autocomplete(interaction, deps.ctx);
    else await interaction.respond([]);
  } catch (err) {
    deps.ctx.logger.error(
      { err, errorId: newErrorId(), command: interaction.commandName },
      'autocomplete failed',
    );
    if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
  }
}

/**
 * Questions in channels and DMs: mentions (of the bot or its role) and DMs always get a reply; listed
 * channels, conversations and replies to the bot's messages only when answered. Replies are shaped by what
 * the bot may do in the channel (./reply.ts); a refusal from Discord is logged, never thrown.
 */
export async function handleMessage(message: Message, deps: EventDeps): Promise<void> {
  const { ctx } = deps;
  const botId = message.client.user.id;
  if (!message.author) return; // not a user's message (Discord always sends an author)
  // A thread discord.js built from a bare MESSAGE_CREATE does not know its parent: ask Discord once.
  if (message.channel.isThread() && !message.channel.parentId) {
    await message.client.channels.fetch(message.channelId, { force: true }).catch(() => null);
  }
  const channel = message.channel;
  const route = routeMessage(
    {
      content: message.content,
      authorId: message.author.id,
      authorIsBot: message.author.bot,
      webhookId: message.webhookId,
      system: message.system,
      channelId: message.channelId,
      parentChannelId: channel.isThread() ? channel.parentId : null,
      mentionsBot: mentionsBot(message, botId),
      replyToMessageId: replyTarget(message),
      replyToBot: repliesToBot(message, botId),
      direct: !message.inGuild(),
    },
    { botId, askChannelIds: deps.askChannelIds, conversations: deps.conversations },
  );
  if (route.action === 'ignore') return;
  const log = ctx.logger.child({ message: message.id, channel: message.channelId, user: message.author.id });
  const can = abilitiesFor(message);
  if (!can.send) {
    log.warn(
      { guild: message.guildId, mode: route.mode },
      'cannot answer here: the bot lacks View Channel or Send Messages in this channel',
    );
    return;
  }
  if (!can.embed) log.warn({ guild: message.guildId }, 'no Embed Links permission here: answering as text');
  try {
    // A thread counts against its parent channel, so a flood cannot spread over threads to escape it.
    const limitChannel = (channel.isThread() ? channel.parentId : null) ?? message.channelId;
    const decision = ctx.limiter.take(message.author.id, limitChannel);
    if (!decision.allowed) {
      if (decision.notify)
        await postReply(message, renderNotice(rateLimitNote(decision.retryAfterMs, decision.scope)), can);
      return;
    }
    // "@bot" alone in reply to someone's question, or a question forwarded to the bot: answer that.
    const question =
      route.question || referencedQuestion(message, botId) || forwardedQuestion(message, botId);
    if (!question) {
      await postReply(message, renderNotice(HELP), can);
      return;
    }
    route.question = question;
    const force =
      route.force ??
      (route.mode === 'mention' || route.mode === 'conversation' ? answeredForce(message, botId, ctx) : null);
    const answer = ctx.holder.engine.answer(route.question, { force });
    log.info(
      { mode: route.mode, intent: answer.intent, force: answer.force, answered: answer.answered },
      'question',
    );
    // A DM channel would say who asked: coverage gaps record no channel for DMs.
    const asked = { question: route.question, channelId: message.inGuild() ? message.channelId : null };
    if (!answer.answered && route.mode !== 'mention') {
      recordGap(ctx, {
        kind: 'abstained',
        question: route.question,
        channel: asked.channelId,
        force: answer.force,
      });
      return; // nothing relevant: stay quiet
    }
    const rendered = withFeedback(renderAnswer(answer), answer, asked, ctx);
    let sent: Message | null;
    let threadId: string | null = channel.isThread() ? channel.id : null;
    if (!threadId && can.thread && channelIsBusy(message, deps)) {
      const thread = await message
        .startThread({ name: threadName(route.question), autoArchiveDuration: 60 })
        .catch((err: unknown) => {
          log.warn({ err }, 'could not start a thread; replying in the channel');
          return null;
        });
      if (thread) {
        threadId = thread.id;
        // Known before the answer lands, so a quick follow-up in the thread already has the force.
        deps.conversations.remember([threadId], answer.force);
        sent = await thread.send(shapeFor(rendered, can));
      } else sent = await postReply(message, rendered, can);
    } else sent = await postReply(message, rendered, can);
    if (sent) deps.conversations.remember([sent.id, ...(threadId ? [threadId] : [])], answer.force);
  } catch (err) {
    if (cannotPost(err)) {
      log.warn(
        { code: err.code, status: err.status, discordMessage: err.message },
        'Discord refused the answer (permissions, or the channel or question is gone)',
      );
      return;
    }
    const errorId = newErrorId();
    log.error({ err, errorId }, 'answering a message failed');
    await postReply(message, renderError(errorId), can).catch(() => undefined);
  }
}

/** `<@bot>`, `<@!bot>`, a reply that pings the bot, or the bot's managed role `<@&role>`. */
function mentionsBot(message: Message, botId: string): boolean {
  if (message.mentions.users.has(botId) || message.content.includes(`<@${botId}>`)) return true;
  if (message.content.includes(`<@!${botId}>`)) return true;
  const role = message.guild?.roles.botRoleFor(botId);
  return role ? message.mentions.roles.has(role.id) || message.content.includes(`<@&${role.id}>`) : false;
}

/**
 * The force of the answer this message replies to, read from that answer's title ("West Midlands Police:
 * Engage", "Responses: Wiltshire Police"): conversations are remembered in memory only, so after a restart
 * a reply to an older answer still keeps its force.
 */
function answeredForce(message: Message, botId: string, ctx: EventDeps['ctx']): string | null {
  const ref = replyTarget(message);
  const answer = ref ? message.channel.messages.cache.get(ref) : undefined;
  const title = answer?.author.id === botId ? answer.embeds[0]?.title : undefined;
  if (!title) return null;
  return ctx.holder.engine.kb.gazetteer.mentions(title)[0]?.slug ?? null;
}

/** The text of the (human) message this one replies to, as a question; '' when there is none. */
function referencedQuestion(message: Message, botId: string): string {
  const ref = replyTarget(message);
  const referenced = ref ? message.channel.messages.cache.get(ref) : undefined;
  if (!referenced || referenced.author.bot || referenced.webhookId) return '';
  return stripBotMention(referenced.content, botId).slice(0, MAX_QUESTION);
}

/** The text of a forwarded message (its snapshot), as a question; '' when this is not a forward. */
function forwardedQuestion(message: Message, botId: string): string {
  if (message.reference?.type !== MessageReferenceType.Forward) return '';
  const snapshot = message.messageSnapshots.first();
  return snapshot ? stripBotMention(snapshot.content, botId).slice(0, MAX_QUESTION) : '';
}

/** The message this one replies to (a reply, not a forward), if any. */
function replyTarget(message: Message): string | null {
  const ref = message.reference;
  return ref?.messageId && (ref.type ?? MessageReferenceType.Default) === MessageReferenceType.Default
    ? ref.messageId
    : null;
}

/** A reply to one of the bot's messages (Discord sends the replied-to message, `referenced_message`). */
function repliesToBot(message: Message, botId: string): boolean {
  const ref = replyTarget(message);
  if (!ref) return false;
  return (
    message.mentions.repliedUser?.id === botId || message.channel.messages.cache.get(ref)?.author.id === botId
  );
}

const HELP =
  'Ask me about police inspections in England and Wales, e.g. “Is West Midlands Police in special measures?”, or use /status, /findings, /responses, /forces and /sources.';

function threadName(question: string): string {
  const name = question
    .replace(/<[@#][!&]?\d+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cutText(name || 'Question', 90);
}

function channelIsBusy(message: Message, deps: EventDeps): boolean {
  const now = (deps.now ?? Date.now)();
  const recent = [...message.channel.messages.cache.values()]
    // A message Discord sent without its author (a minimal payload) is nobody's: skip it.
    .flatMap((m) =>
      m.id !== message.id && m.author && !m.author.bot
        ? [{ authorId: m.author.id, createdAt: m.createdTimestamp }]
        : [],
    );
  return isBusy(recent, message.author.id, now, deps.busy);
}

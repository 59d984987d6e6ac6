import { randomBytes } from 'node:crypto';
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  MessageFlags,
  type ModalSubmitInteraction,
} from 'discord.js';
import { cutText, NO_MENTIONS, renderAnswer, renderError, renderNotice } from '../render/discord.js';
import type { BotContext, Command } from './commands.js';
import { FEEDBACK_PREFIX, handleFeedbackButton, recordGap, withFeedback } from './feedback.js';
import { rateLimitNote } from './limits.js';
import { type ConversationStore, isBusy, routeMessage } from './router.js';

export interface EventDeps {
  ctx: BotContext;
  commands: ReadonlyMap<string, Command>;
  askChannelIds: ReadonlySet<string>;
  conversations: ConversationStore;
  /** Answer in a thread when this many messages from others arrived in the window. */
  busy: { messages: number; windowMs: number };
  now?: () => number;
}

/** A short random id that ties an apology to its log line. */
export function newErrorId(): string {
  return randomBytes(4).toString('hex');
}

/** Every interaction gets an answer; an unexpected error gets an ephemeral apology with an error id. */
export async function handleInteraction(interaction: Interaction, deps: EventDeps): Promise<void> {
  const { logger } = deps.ctx;
  if (interaction.isAutocomplete()) return handleAutocomplete(interaction, deps);
  if (interaction.isButton() || interaction.isModalSubmit()) return handleComponent(interaction, deps);
  if (!interaction.isChatInputCommand()) return;
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
    await command.execute(interaction, deps.ctx);
    log.info({ ms: Date.now() - started }, 'command answered');
  } catch (err) {
    await apologise(interaction, err, log);
  }
}

/**
 * Buttons and modals: `fb:…` are the 👍 / 👎 on answers; `<command>:…` go to that command's
 * `handleComponent`. Anything else (a button from an older version) gets an ephemeral note.
 */
async function handleComponent(
  interaction: ButtonInteraction | ModalSubmitInteraction,
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
    if (command?.handleComponent) return await command.handleComponent(interaction, deps.ctx);
    await interaction.reply({
      ...renderNotice('This button no longer works: run the command again.'),
      flags: MessageFlags.Ephemeral,
    });
  } catch (err) {
    await apologise(interaction, err, log);
  }
}

async function apologise(
  interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
  err: unknown,
  log: BotContext['logger'],
): Promise<void> {
  const errorId = newErrorId();
  log.error({ err, errorId }, 'command failed');
  const apology = { ...renderError(errorId), flags: MessageFlags.Ephemeral } as const;
  try {
    if (interaction.deferred && !interaction.replied) await interaction.editReply(renderError(errorId));
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

/** Questions in channels: mentions always get a reply; listed channels and conversations only when answered. */
export async function handleMessage(message: Message, deps: EventDeps): Promise<void> {
  const { ctx } = deps;
  const botId = message.client.user.id;
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
      mentionsBot: message.mentions.users.has(botId),
      replyToMessageId: message.reference?.messageId ?? null,
    },
    { botId, askChannelIds: deps.askChannelIds, conversations: deps.conversations },
  );
  if (route.action === 'ignore') return;
  const log = ctx.logger.child({ message: message.id, channel: message.channelId, user: message.author.id });
  try {
    // A thread counts against its parent channel, so a flood cannot spread over threads to escape it.
    const limitChannel = (channel.isThread() ? channel.parentId : null) ?? message.channelId;
    const decision = ctx.limiter.take(message.author.id, limitChannel);
    if (!decision.allowed) {
      if (decision.notify)
        await message.reply({
          ...renderNotice(rateLimitNote(decision.retryAfterMs, decision.scope)),
          allowedMentions: NO_MENTIONS,
        });
      return;
    }
    if (!route.question) {
      await message.reply(renderNotice(HELP));
      return;
    }
    const answer = ctx.holder.engine.answer(route.question, { force: route.force });
    log.info(
      { mode: route.mode, intent: answer.intent, force: answer.force, answered: answer.answered },
      'question',
    );
    const asked = { question: route.question, channelId: message.channelId };
    if (!answer.answered && route.mode !== 'mention') {
      recordGap(ctx, {
        kind: 'abstained',
        question: route.question,
        channel: message.channelId,
        force: answer.force,
      });
      return; // nothing relevant: stay quiet
    }
    const rendered = withFeedback(renderAnswer(answer), answer, asked, ctx);
    let sent: Message;
    let threadId: string | null = channel.isThread() ? channel.id : null;
    if (!threadId && channelIsBusy(message, deps)) {
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
        sent = await thread.send(rendered);
      } else sent = await message.reply(rendered);
    } else sent = await message.reply(rendered);
    deps.conversations.remember([sent.id, ...(threadId ? [threadId] : [])], answer.force);
  } catch (err) {
    const errorId = newErrorId();
    log.error({ err, errorId }, 'answering a message failed');
    await message.reply(renderError(errorId)).catch(() => undefined);
  }
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
    .filter((m) => m.id !== message.id && !m.author.bot)
    .map((m) => ({ authorId: m.author.id, createdAt: m.createdTimestamp }));
  return isBusy(recent, message.author.id, now, deps.busy);
}

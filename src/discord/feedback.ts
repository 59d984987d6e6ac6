import { randomBytes } from 'node:crypto';
import { type ButtonInteraction, MessageFlags } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponent } from 'discord-api-types/v10';
import type { Answer } from '../answer/types.js';
import type { GapStore } from '../ingest/gaps.js';
import { type DiscordMessage, renderNotice } from '../render/discord.js';
import type { BotContext } from './commands.js';

/**
 * Coverage gaps from Discord: every question the bot abstains on is recorded (question, time, channel,
 * force — never who asked), and answered answers carry 👍 / 👎 buttons. A press gets an ephemeral "Thanks —
 * noted" and never a message in the channel; 👎 records the question as unhelpful. The question behind each
 * answer is kept in memory (bounded), keyed by the random id in the buttons' custom ids.
 */

export const FEEDBACK_PREFIX = 'fb';

/** What a 👎 records about the answer it is on. */
export interface AnswerRecord {
  question: string;
  channelId: string | null;
  force: string | null;
  /** Who already pressed, so one person counts once (memory only, never written). */
  voters: Set<string>;
}

/** The questions behind recent answers, newest kept; the oldest are forgotten past `max`. */
export class FeedbackStore {
  private readonly map = new Map<string, AnswerRecord>();

  constructor(private readonly max = 2000) {}

  remember(record: Omit<AnswerRecord, 'voters'>): string {
    const key = randomBytes(6).toString('hex');
    this.map.set(key, { ...record, voters: new Set() });
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    return key;
  }

  get(key: string): AnswerRecord | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }
}

/** One action row: 👍 and 👎 (two of the five buttons a row may hold). */
export function feedbackRow(key: string): APIActionRowComponent<APIButtonComponent> {
  return {
    type: 1,
    components: [
      { type: 2, style: 2, emoji: { name: '👍' }, custom_id: `${FEEDBACK_PREFIX}:up:${key}` },
      { type: 2, style: 2, emoji: { name: '👎' }, custom_id: `${FEEDBACK_PREFIX}:down:${key}` },
    ],
  };
}

/** Where an answer was asked, for the gaps file (no user ids). */
export interface AskedIn {
  question: string;
  channelId: string | null;
}

/**
 * Records an abstention (fire and forget: a full disk must not stop the answer), or, for an answered
 * answer, adds the 👍 / 👎 row to the message.
 */
export function withFeedback(
  msg: DiscordMessage,
  answer: Answer,
  asked: AskedIn,
  ctx: Pick<BotContext, 'gaps' | 'feedback' | 'logger'>,
): DiscordMessage {
  if (!answer.answered) {
    recordGap(ctx, {
      kind: 'abstained',
      question: asked.question,
      channel: asked.channelId,
      force: answer.force,
    });
    return msg;
  }
  const key = ctx.feedback.remember({
    question: asked.question,
    channelId: asked.channelId,
    force: answer.force,
  });
  return { ...msg, components: [...(msg.components ?? []), feedbackRow(key)].slice(0, 5) };
}

export function recordGap(
  ctx: { gaps: GapStore; logger: BotContext['logger'] },
  entry: Parameters<GapStore['record']>[0],
): void {
  ctx.gaps.record(entry).catch((err) => ctx.logger.error({ err }, 'could not record a coverage gap'));
}

/** A 👍 / 👎 press: an ephemeral thank-you; 👎 records the question as unhelpful (once per person). */
export async function handleFeedbackButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const [, vote, key = ''] = interaction.customId.split(':');
  const record = ctx.feedback.get(key);
  if (record && !record.voters.has(interaction.user.id)) {
    record.voters.add(interaction.user.id);
    if (vote === 'down')
      recordGap(ctx, {
        kind: 'unhelpful',
        question: record.question,
        channel: record.channelId,
        force: record.force,
      });
  }
  ctx.logger.info({ vote, known: record !== undefined }, 'answer feedback');
  await interaction.reply({
    ...renderNotice(
      vote === 'down'
        ? 'Thanks — noted. The moderators will see this question among the ones to add articles for.'
        : 'Thanks — noted.',
    ),
    flags: MessageFlags.Ephemeral,
  });
}

import { randomBytes } from 'node:crypto';
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import type { DraftFixes } from '../ingest/draft.js';
import { readArticleFromUrl } from '../ingest/read.js';
import {
  fixReview,
  missingFields,
  previewReview,
  type Review,
  saveReview,
  startReview,
} from '../ingest/review.js';
import {
  COLOURS,
  cutText,
  type DiscordMessage,
  escapeMarkdown,
  renderNotice,
  renderReport,
} from '../render/discord.js';
import { stageLabel } from '../render/text.js';
import type { BotContext } from './commands.js';
import { addedReport } from './kb-report.js';
import { checkModerator, requesterOf } from './moderation.js';

/**
 * `/kb add url:<link>`: fetch the page safely, show the moderator a preview (title, publisher, date, first
 * passages, forces, status changes, problems) with Confirm / Set date / Cancel, and write only on Confirm.
 * Previews wait in memory under a random id carried in the buttons' custom ids (`kb:add:<action>:<id>`),
 * expire after 15 minutes, and answer only the moderator who asked.
 */

export const PENDING_TTL_MS = 15 * 60_000;
const EPHEMERAL = MessageFlags.Ephemeral;

export interface PendingAdd {
  id: string;
  userId: string;
  link: string;
  review: Review;
  createdAt: number;
}

/** Previews waiting for a decision: bounded, expiring. */
export class PendingAdds {
  private readonly map = new Map<string, PendingAdd>();

  constructor(private readonly opts: { ttlMs?: number; max?: number; now?: () => number } = {}) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private sweep(): void {
    const ttl = this.opts.ttlMs ?? PENDING_TTL_MS;
    for (const [id, p] of this.map) if (this.now() - p.createdAt > ttl) this.map.delete(id);
  }

  put(p: Omit<PendingAdd, 'id' | 'createdAt'>): PendingAdd {
    this.sweep();
    const pending: PendingAdd = { ...p, id: randomBytes(8).toString('hex'), createdAt: this.now() };
    this.map.set(pending.id, pending);
    while (this.map.size > (this.opts.max ?? 200)) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
    return pending;
  }

  get(id: string): PendingAdd | undefined {
    this.sweep();
    return this.map.get(id);
  }

  /** Removes and returns it, so a second press finds nothing. */
  take(id: string): PendingAdd | undefined {
    const p = this.get(id);
    this.map.delete(id);
    return p;
  }

  get size(): number {
    return this.map.size;
  }
}

/** The slash command part: defer, fetch, preview (or say why not). */
export async function startUrlAdd(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
  link: string,
  fixes: DraftFixes,
): Promise<void> {
  await interaction.deferReply({ flags: EPHEMERAL });
  const read = await readArticleFromUrl(link, ctx.fetchOptions);
  const started = startReview(read, fixes);
  ctx.logger.info(
    { user: interaction.user.id, link, ok: started.ok, ...(started.ok ? {} : { reason: started.reason }) },
    'kb add url: read',
  );
  if (!started.ok) {
    await interaction.editReply(
      renderNotice(
        `I cannot add <${escapeMarkdown(cutText(link, 300))}>: ${escapeMarkdown(started.reason)}.\n\nNothing was saved.`,
        { colour: COLOURS.error, title: 'Not added' },
      ),
    );
    return;
  }
  const pending = ctx.pendingAdds.put({ userId: interaction.user.id, link, review: started.review });
  await interaction.editReply(renderPreview(pending, ctx));
}

/** The preview embed with its buttons. */
export function renderPreview(pending: PendingAdd, ctx: BotContext, note?: string): DiscordMessage {
  const { review } = pending;
  const { draft } = review;
  const preview = previewReview(review, ctx.holder);
  const missing = missingFields(review);
  const name = (slug: string) => ctx.holder.engine.kb.gazetteer.bySlug(slug)?.name ?? slug;
  const url = draft.url ?? review.fetchedFrom;
  const lines: string[] = [];
  if (note) lines.push(`⚠️ ${escapeMarkdown(note)}`, '');
  lines.push(
    `**${escapeMarkdown(draft.title ?? '(no title)')}**`,
    `${escapeMarkdown(draft.publisher)} · ${draft.published ?? '**no date**'}${url ? ` · <${url}>` : ''}`,
  );
  if (preview.articleId)
    lines.push(
      preview.duplicateOf
        ? `Would replace \`${preview.duplicateOf}\` (same address).`
        : `Would be saved as \`${preview.articleId}\`.`,
    );
  lines.push('', `**First passages** (${preview.passages} in all):`);
  for (const p of preview.firstPassages) lines.push(`> ${escapeMarkdown(cutText(p.text, 300))}`);
  lines.push(
    '',
    `**Forces found:** ${
      preview.forces.length
        ? escapeMarkdown(preview.forces.map((f) => `${f.name} (${f.passages})`).join(', '))
        : 'none'
    }`,
  );
  if (preview.statusChanges === null) lines.push('**Status changes:** shown once it has a date.');
  else if (!preview.statusChanges.length) lines.push('**Status changes:** none.');
  else
    lines.push(
      '**Status changes if saved:**',
      ...preview.statusChanges.map(
        (c) =>
          `• ${escapeMarkdown(name(c.force))}: ${stageLabel(c.before.stage)}${c.before.asOf ? ` (${c.before.asOf})` : ''} → ${stageLabel(c.after.stage)}${c.after.asOf ? ` (${c.after.asOf})` : ''}`,
      ),
    );
  if (review.problems.length)
    lines.push(
      '',
      '**Problems:**',
      ...review.problems.map((p) => `${p.blocking ? '⛔' : '⚠️'} ${escapeMarkdown(p.message)}`),
    );
  if (preview.dropped) lines.push('', `${preview.dropped} lines of page furniture were left out.`);
  const msg = renderReport('Preview — not saved yet', lines, {
    colour: missing.length ? COLOURS.error : COLOURS.neutral,
    footer: missing.length
      ? 'Set the missing fields, then Confirm. The preview expires in 15 minutes.'
      : 'Confirm saves the article and refreshes the index. The preview expires in 15 minutes.',
  });
  return {
    ...msg,
    components: [
      {
        type: 1,
        components: [
          {
            type: 2,
            style: 3,
            label: 'Confirm',
            custom_id: `kb:add:confirm:${pending.id}`,
            disabled: missing.length > 0,
          },
          {
            type: 2,
            style: missing.length ? 1 : 2,
            label: draft.published ? 'Fix date or title' : 'Set date',
            custom_id: `kb:add:date:${pending.id}`,
          },
          { type: 2, style: 4, label: 'Cancel', custom_id: `kb:add:cancel:${pending.id}` },
        ],
      },
    ],
  };
}

function fixModal(pending: PendingAdd): APIModalInteractionResponseCallbackData {
  const { draft } = pending.review;
  const input = (id: string, label: string, description: string, value: string | null, max: number) => ({
    type: 18 as const,
    label,
    description,
    component: {
      type: 4 as const,
      custom_id: id,
      style: 1 as const,
      max_length: max,
      required: id === 'published' ? !draft.published : false,
      ...(value ? { value: cutText(value, max) } : {}),
    },
  });
  return {
    custom_id: `kb:add:fix:${pending.id}`,
    title: 'Fix the article before saving',
    components: [
      input('published', 'Publication date', 'YYYY-MM-DD, e.g. 2024-06-14', draft.published, 40),
      input('title', 'Title', 'The headline as published', draft.title, 300),
      input('publisher', 'Publisher', 'e.g. BBC News', draft.publisher, 100),
    ],
  };
}

/** Buttons and the modal of a preview. */
export async function handleUrlAddComponent(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
): Promise<void> {
  const [, , action = '', id = ''] = interaction.customId.split(':');
  const pending = ctx.pendingAdds.get(id);
  if (!pending) {
    await interaction.reply({
      ...renderNotice(
        'This preview has expired (after 15 minutes) or was already handled. Run `/kb add url:` again.',
      ),
      flags: EPHEMERAL,
    });
    return;
  }
  const moderator = checkModerator(requesterOf(interaction), ctx.config.moderatorRoleIds);
  if (interaction.user.id !== pending.userId || !moderator.allowed) {
    await interaction.reply({
      ...renderNotice('Only the moderator who asked for this preview can confirm, change or cancel it.', {
        colour: COLOURS.error,
      }),
      flags: EPHEMERAL,
    });
    return;
  }
  if (interaction.isModalSubmit()) return fix(interaction, pending, ctx);
  switch (action) {
    case 'confirm':
      return confirm(interaction, pending, ctx);
    case 'cancel':
      ctx.pendingAdds.take(pending.id);
      await interaction.update({
        ...renderNotice('Cancelled — nothing was saved.', { title: 'Not added' }),
        components: [],
      });
      return;
    case 'date':
      await interaction.showModal(fixModal(pending));
      return;
    default:
      await interaction.reply({ ...renderNotice('Unknown button.'), flags: EPHEMERAL });
  }
}

async function confirm(interaction: ButtonInteraction, pending: PendingAdd, ctx: BotContext): Promise<void> {
  const missing = missingFields(pending.review);
  if (missing.length) {
    await interaction.reply({
      ...renderNotice(`Not yet: ${escapeMarkdown(missing.join('; '))}. Use “Set date” first.`),
      flags: EPHEMERAL,
    });
    return;
  }
  ctx.pendingAdds.take(pending.id);
  // Acknowledge at once and take the buttons away, so a second press cannot save twice.
  await interaction.update({ ...renderNotice('Saving…'), components: [] });
  const result = await saveReview(pending.review, ctx.holder, interaction.user.id);
  const { draft } = pending.review;
  const articleId = result.ok ? result.articleId : undefined;
  await ctx.audit.append({
    userId: interaction.user.id,
    userTag: interaction.user.tag,
    guildId: interaction.guildId,
    action: 'add',
    ok: result.ok,
    ...(articleId ? { articleId } : {}),
    detail: result.ok
      ? `${result.replaced ? 'replaced' : 'added'} from ${pending.link}: ${result.passages} passages`
      : `from ${pending.link}: ${result.errors[0] ?? 'failed'}`,
  });
  ctx.logger.info({ user: interaction.user.id, link: pending.link, articleId, ok: result.ok }, 'kb add url');
  if (!result.ok) {
    await interaction.editReply({
      ...renderReport(
        'Not added — still answering from the previous index',
        result.errors.map((e) => `• ${escapeMarkdown(e)}`),
        { colour: COLOURS.error },
      ),
      components: [],
    });
    return;
  }
  await interaction.editReply({
    ...addedReport(
      {
        title: draft.title ?? '',
        publisher: draft.publisher,
        published: draft.published ?? '',
        id: result.articleId,
      },
      result,
      (slug) => ctx.holder.engine.kb.gazetteer.bySlug(slug)?.name ?? slug,
      { idNote: ` — from <${draft.url ?? pending.link}>` },
    ),
    components: [],
  });
}

async function fix(interaction: ModalSubmitInteraction, pending: PendingAdd, ctx: BotContext): Promise<void> {
  const value = (id: string): string | null => {
    const field = interaction.fields.fields.get(id);
    return field && 'value' in field && typeof field.value === 'string' ? field.value : null;
  };
  const fixed = fixReview(pending.review, {
    published: value('published'),
    title: value('title'),
    publisher: value('publisher'),
  });
  let note: string | undefined;
  if (fixed.ok) pending.review = fixed.review;
  else note = `Not changed: ${fixed.reason}.`;
  const message = renderPreview(pending, ctx, note);
  // From a button on the preview: update it in place; otherwise (no message) a fresh ephemeral preview.
  if (interaction.isFromMessage()) await interaction.update(message);
  else await interaction.reply({ ...message, flags: EPHEMERAL });
}

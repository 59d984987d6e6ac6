import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from 'discord.js';
import type { RebuildResult, StatusChange } from '../src/answer/holder.js';
import { formatIssue } from '../src/cli/issues.js';
import type { BotContext } from '../src/discord/commands.js';
import { checkModerator, requesterOf } from '../src/discord/moderation.js';
import { checkAttachment, fetchAttachment, UploadError } from '../src/discord/upload.js';
import { prepareArticle } from '../src/ingest/article-file.js';
import type { KnowledgeIssue } from '../src/knowledge/parse.js';
import {
  COLOURS,
  cutText,
  escapeMarkdown,
  renderChoices,
  renderNotice,
  renderReport,
} from '../src/render/discord.js';
import { stageLabel } from '../src/render/text.js';

export const data = new SlashCommandBuilder()
  .setName('kb')
  .setDescription('Moderators: manage the knowledge base (articles the bot answers from)')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName('refresh')
      .setDescription('Reload the knowledge folder; on any error the current index keeps answering'),
  )
  .addSubcommand((s) =>
    s
      .setName('add')
      .setDescription('Add (or replace) an article from an attached .md or .txt file')
      .addAttachmentOption((o) =>
        o
          .setName('file')
          .setDescription('The article: .md with front matter, or .md/.txt text (≤ 1 MB)')
          .setRequired(true),
      )
      .addStringOption((o) =>
        o
          .setName('title')
          .setDescription('Headline as published (when the file has no front matter)')
          .setMaxLength(300),
      )
      .addStringOption((o) =>
        o
          .setName('publisher')
          .setDescription('Who published it, e.g. Sky News (when no front matter)')
          .setMaxLength(100),
      )
      .addStringOption((o) =>
        o
          .setName('published')
          .setDescription('Publication date YYYY-MM-DD (when no front matter)')
          .setMinLength(10)
          .setMaxLength(10),
      )
      .addStringOption((o) =>
        o.setName('url').setDescription('Link to the article (optional)').setMaxLength(500),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('remove')
      .setDescription('Remove an article and rebuild the index')
      .addStringOption((o) =>
        o
          .setName('article')
          .setDescription('Article id (file name without .md)')
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(120),
      ),
  )
  .addSubcommand((s) => s.setName('history').setDescription('Who changed the knowledge base, what and when'))
  .addSubcommand((s) =>
    s.setName('stats').setDescription('Articles, passages, forces covered, uptime, last refresh'),
  );

/** Moderator tools are not rate-limited. */
export const rateLimited = false;

const EPHEMERAL = MessageFlags.Ephemeral;

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const decision = checkModerator(requesterOf(interaction), ctx.config.moderatorRoleIds);
  if (!decision.allowed) {
    await interaction.reply({
      ...renderNotice(decision.reason, { colour: COLOURS.error }),
      flags: EPHEMERAL,
    });
    return;
  }
  const sub = interaction.options.getSubcommand(true);
  switch (sub) {
    case 'refresh':
      return refresh(interaction, ctx);
    case 'add':
      return add(interaction, ctx);
    case 'remove':
      return remove(interaction, ctx);
    case 'history':
      return history(interaction, ctx);
    case 'stats':
      return stats(interaction, ctx);
    default:
      await interaction.reply({
        ...renderNotice(`Unknown subcommand “${escapeMarkdown(sub)}”.`),
        flags: EPHEMERAL,
      });
  }
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  if (!checkModerator(requesterOf(interaction), ctx.config.moderatorRoleIds).allowed) {
    await interaction.respond([]);
    return;
  }
  const typed = String(interaction.options.getFocused()).toLowerCase();
  const metas = [...ctx.holder.engine.kb.articles.values()].sort((a, b) =>
    b.published.localeCompare(a.published),
  );
  const matches = metas.filter((m) => m.id.includes(typed) || m.title.toLowerCase().includes(typed));
  await interaction.respond(
    renderChoices(matches.map((m) => ({ name: `${m.id} — ${m.title}`, value: m.id }))),
  );
}

function who(i: ChatInputCommandInteraction) {
  return { userId: i.user.id, userTag: i.user.tag, guildId: i.guildId };
}

async function refresh(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await interaction.deferReply({ flags: EPHEMERAL });
  const result = await ctx.holder.refresh(interaction.user.id);
  await ctx.audit.append({ ...who(interaction), action: 'refresh', ok: result.ok, detail: outcome(result) });
  ctx.logger.info({ user: interaction.user.id, ok: result.ok, detail: outcome(result) }, 'kb refresh');
  await interaction.editReply(
    result.ok
      ? renderReport(
          'Knowledge base reloaded',
          [summaryLine(result), ...changeLines(result.changes), ...warningLines(result.warnings)],
          {
            colour: COLOURS.scan,
          },
        )
      : errorsReport(
          'Refresh failed — still answering from the previous index',
          result.errors,
          result.summary,
        ),
  );
}

async function add(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await interaction.deferReply({ flags: EPHEMERAL });
  const attachment = interaction.options.getAttachment('file', true);
  const info = {
    name: attachment.name,
    url: attachment.url,
    size: attachment.size,
    contentType: attachment.contentType,
  };
  const refused = checkAttachment(info, ctx.attachmentHosts);
  if (refused) {
    await interaction.editReply(
      renderNotice(escapeMarkdown(refused), { colour: COLOURS.error, title: 'Not added' }),
    );
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await fetchAttachment(info);
  } catch (err) {
    const message =
      err instanceof UploadError
        ? err.message
        : `Could not download “${attachment.name}” from Discord: ${(err as Error).message}`;
    await interaction.editReply(
      renderNotice(escapeMarkdown(message), { colour: COLOURS.error, title: 'Not added' }),
    );
    return;
  }
  const prepared = prepareArticle(attachment.name, bytes, {
    title: interaction.options.getString('title'),
    publisher: interaction.options.getString('publisher'),
    published: interaction.options.getString('published'),
    url: interaction.options.getString('url'),
  });
  if (!prepared.ok) {
    await interaction.editReply(errorsReport('Not added — the file needs fixing', prepared.issues));
    return;
  }
  const result = await ctx.holder.add(prepared.id, prepared.bytes, interaction.user.id);
  await ctx.audit.append({
    ...who(interaction),
    action: 'add',
    ok: result.ok,
    articleId: prepared.id,
    detail: result.ok
      ? `${result.replaced ? 'replaced' : 'added'}: ${result.passages} passages`
      : outcome(result),
  });
  ctx.logger.info({ user: interaction.user.id, articleId: prepared.id, ok: result.ok }, 'kb add');
  if (!result.ok) {
    await interaction.editReply(
      errorsReport(
        'Not added — the knowledge folder has errors; still answering from the previous index',
        result.errors,
        result.summary,
      ),
    );
    return;
  }
  const names = result.forces.map((slug) => ctx.holder.engine.kb.gazetteer.bySlug(slug)?.name ?? slug);
  const lines = [
    `**${escapeMarkdown(prepared.article.title)}** — ${escapeMarkdown(prepared.article.publisher)}, ${prepared.article.published}`,
    `id \`${prepared.id}\`${prepared.builtFrontMatter ? ' (front matter built from the options)' : ''}`,
    '',
    `**Learned:** ${result.passages} passages${names.length ? ` about ${escapeMarkdown(names.join(', '))}` : ' (no force named)'}.`,
    ...(result.passages === 0
      ? ['⚠️ Nothing citable was found in the text: check that it is the article itself.']
      : []),
    ...changeLines(result.changes),
    ...(prepared.ignoredOptions.length
      ? [
          `Options ${prepared.ignoredOptions.map((o) => `\`${o}\``).join(', ')} were ignored: the file has its own front matter.`,
        ]
      : []),
    '',
    summaryLine(result),
  ];
  await interaction.editReply(
    renderReport(result.replaced ? 'Article replaced' : 'Article added', lines, { colour: COLOURS.scan }),
  );
}

async function remove(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const id = interaction.options.getString('article', true).trim();
  await interaction.deferReply({ flags: EPHEMERAL });
  if (!(await ctx.holder.exists(id))) {
    await interaction.editReply(
      renderNotice(
        `There is no article \`${escapeMarkdown(cutText(id, 120))}\`. /sources lists the article ids.`,
        {
          colour: COLOURS.error,
        },
      ),
    );
    return;
  }
  const title = ctx.holder.engine.kb.articles.get(id)?.title;
  const result = await ctx.holder.remove(id, interaction.user.id);
  if ('missing' in result) {
    await interaction.editReply(renderNotice(`There is no article \`${id}\`.`, { colour: COLOURS.error }));
    return;
  }
  await ctx.audit.append({
    ...who(interaction),
    action: 'remove',
    ok: result.ok,
    articleId: id,
    detail: outcome(result),
  });
  ctx.logger.info({ user: interaction.user.id, articleId: id, ok: result.ok }, 'kb remove');
  await interaction.editReply(
    result.ok
      ? renderReport(
          'Article removed',
          [
            `\`${id}\`${title ? ` — ${escapeMarkdown(title)}` : ''}`,
            '',
            ...changeLines(result.changes),
            summaryLine(result),
          ],
          { colour: COLOURS.scan },
        )
      : errorsReport(
          'Not removed — the rebuilt folder has errors; the article is back',
          result.errors,
          result.summary,
        ),
  );
}

async function history(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const entries = await ctx.audit.recent(20);
  const lines = entries.map((e) => {
    const when = `<t:${Math.floor(Date.parse(e.at) / 1000)}:f>`;
    const what = `${e.action}${e.articleId ? ` \`${e.articleId}\`` : ''}`;
    return `${e.ok ? '✅' : '❌'} ${when} <@${e.userId}> ${what}${e.detail ? ` — ${escapeMarkdown(cutText(e.detail, 200))}` : ''}`;
  });
  await interaction.reply({
    ...renderReport(
      'Knowledge base history (newest first)',
      lines.length ? lines : ['No changes recorded yet.'],
      {
        footer: `Audit log: ${ctx.audit.file}`,
      },
    ),
    flags: EPHEMERAL,
  });
}

async function stats(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const s = ctx.holder.summary();
  const last = ctx.holder.lastRefresh;
  const errors = ctx.holder.issues.filter((i) => i.severity === 'error').length;
  const lines = [
    `**Articles:** ${s.articles}`,
    `**Passages:** ${s.passages}`,
    `**Forces covered:** ${s.forcesCovered} of ${s.forcesKnown}`,
    `**Uptime:** ${formatDuration(Date.now() - ctx.holder.startedAt.getTime())}`,
    `**Last refresh:** <t:${Math.floor(last.at.getTime() / 1000)}:R> — ${last.ok ? 'OK' : 'failed (previous index kept)'}${last.by ? ` by <@${last.by}>` : ' (at start)'}`,
    ...(errors ? [`⚠️ ${errors} file(s) were left out at the last load: run /kb refresh to see them.`] : []),
  ];
  await interaction.reply({ ...renderReport('Knowledge base', lines), flags: EPHEMERAL });
}

// ───────────────────────────── report lines ─────────────────────────────

function summaryLine(r: {
  summary: { articles: number; passages: number; forcesCovered: number; forcesKnown: number };
}): string {
  const s = r.summary;
  return `Now answering from ${s.articles} articles, ${s.passages} passages, ${s.forcesCovered} of ${s.forcesKnown} forces covered.`;
}

function changeLines(changes: readonly StatusChange[]): string[] {
  if (!changes.length) return ['No force changed stage.'];
  return [
    '**Status changes:**',
    ...changes.map(
      (c) =>
        `• ${escapeMarkdown(c.name)}: ${stageLabel(c.before.stage)}${c.before.asOf ? ` (${c.before.asOf})` : ''} → ${stageLabel(c.after.stage)}${c.after.asOf ? ` (${c.after.asOf})` : ''}`,
    ),
  ];
}

function warningLines(warnings: readonly KnowledgeIssue[]): string[] {
  return warnings.length
    ? ['', '**Warnings:**', ...warnings.map((w) => `• ${escapeMarkdown(formatIssue(w))}`)]
    : [];
}

function errorsReport(
  heading: string,
  errors: readonly KnowledgeIssue[],
  summary?: RebuildResult['summary'],
) {
  const lines = errors.map((e) => `• ${escapeMarkdown(formatIssue(e))}`);
  if (summary)
    lines.push('', `Still answering from ${summary.articles} articles, ${summary.passages} passages.`);
  return renderReport(heading, lines, {
    colour: COLOURS.error,
    more: (n) => `… and ${n} more (npm run kb -- check)`,
  });
}

function outcome(r: RebuildResult): string {
  if (r.ok)
    return `${r.summary.articles} articles, ${r.summary.passages} passages, ${r.changes.length} status change(s)`;
  const first = r.errors[0];
  return `${r.errors.length} error(s)${first ? `: ${formatIssue(first)}` : ''}`;
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

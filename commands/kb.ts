import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  type ModalSubmitInteraction,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from 'discord.js';
import { type BotContext, focusedOption } from '../src/discord/commands.js';
import { handleUrlAddComponent, startUrlAdd } from '../src/discord/kb-add-url.js';
import {
  addedReport,
  changeLines,
  errorsReport,
  outcome,
  summaryLine,
  warningLines,
} from '../src/discord/kb-report.js';
import { checkModerator, requesterOf } from '../src/discord/moderation.js';
import {
  broadcastKnowledgeReload,
  knowledgeVersion,
  shardIdsOf,
  shardSyncLine,
} from '../src/discord/shard-sync.js';
import { checkAttachment, fetchAttachment, UploadError } from '../src/discord/upload.js';
import { prepareArticle } from '../src/ingest/article-file.js';
import { type GapGroup, summariseGaps } from '../src/ingest/gaps.js';
import {
  COLOURS,
  cutText,
  escapeMarkdown,
  fitBlocks,
  fitMessage,
  LIMITS,
  NO_MENTIONS,
  renderChoices,
  renderNotice,
  renderReport,
} from '../src/render/discord.js';
import { tokenize } from '../src/search/analyzer.js';

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
      .setDescription('Add an article from a link (preview, then confirm) or an attached .md/.txt file')
      .addAttachmentOption((o) =>
        o.setName('file').setDescription('The article: .md with front matter, or .md/.txt text (≤ 1 MB)'),
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
        o
          .setName('url')
          .setDescription(
            'Link to the article: alone, it is fetched and previewed; with a file, it is recorded',
          )
          .setMaxLength(500),
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
  .addSubcommand((s) =>
    s
      .setName('gaps')
      .setDescription('Questions the bot could not answer or answers marked 👎, most frequent first'),
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
  const sub = interaction.options.getSubcommand(false) ?? '';
  switch (sub) {
    case 'refresh':
      return refresh(interaction, ctx);
    case 'add':
      return add(interaction, ctx);
    case 'remove':
      return remove(interaction, ctx);
    case 'history':
      return history(interaction, ctx);
    case 'gaps':
      return gaps(interaction, ctx);
    case 'stats':
      return stats(interaction, ctx);
    default:
      await interaction.reply({
        ...renderNotice(
          `${sub ? `Unknown subcommand “${escapeMarkdown(sub)}”.` : 'No subcommand.'} Use /kb refresh, add, remove, gaps, history or stats (the commands may need redeploying: npm run deploy).`,
        ),
        flags: EPHEMERAL,
      });
  }
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  if (!checkModerator(requesterOf(interaction), ctx.config.moderatorRoleIds).allowed) {
    await interaction.respond([]);
    return;
  }
  const typed = String(focusedOption(interaction)?.value ?? '').toLowerCase();
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
  const shards = result.ok ? await reloadOtherShards(interaction, ctx) : [];
  await interaction.editReply(
    result.ok
      ? renderReport(
          'Knowledge base reloaded',
          [summaryLine(result), ...changeLines(result.changes), ...warningLines(result.warnings), ...shards],
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

/** Buttons and modals of /kb (the `kb:add:…` custom ids of a link preview). */
export async function handleComponent(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
): Promise<void> {
  const before = ctx.holder.engine;
  await handleUrlAddComponent(interaction, ctx);
  // A confirmed link preview swapped in a new engine: the other shards reload too.
  if (ctx.holder.engine !== before && interaction.client.shard) {
    const shards = await reloadOtherShards(interaction, ctx);
    if (shards.length)
      await interaction.followUp({
        ...renderNotice(shards.join('\n'), { title: 'Every shard' }),
        flags: EPHEMERAL,
      });
  }
}

/**
 * After a successful change: every other shard reloads the folder (when sharded); the reply's lines saying
 * whether they all answer from the same version. None when not sharded.
 */
async function reloadOtherShards(
  interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
): Promise<string[]> {
  const sync = await broadcastKnowledgeReload(interaction.client, ctx.holder, {
    by: interaction.user.id,
    logger: ctx.logger,
  });
  return sync ? ['', shardSyncLine(sync)] : [];
}

async function add(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const attachment = interaction.options.getAttachment('file');
  const link = interaction.options.getString('url')?.trim();
  if (!attachment) {
    if (!link) {
      await interaction.reply({
        ...renderNotice(
          'Give `url:` (a link to the article: I fetch it and show a preview to confirm) or `file:` (an attached .md or .txt article).',
        ),
        flags: EPHEMERAL,
      });
      return;
    }
    return startUrlAdd(interaction, ctx, link, {
      title: interaction.options.getString('title'),
      publisher: interaction.options.getString('publisher'),
      published: interaction.options.getString('published'),
    });
  }
  await interaction.deferReply({ flags: EPHEMERAL });
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
  const shards = result.ok ? await reloadOtherShards(interaction, ctx) : [];
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
  await interaction.editReply(
    addedReport({ ...prepared.article, id: prepared.id }, result, forceName(ctx), {
      idNote: prepared.builtFrontMatter ? ' (front matter built from the options)' : '',
      extra: [
        ...(prepared.ignoredOptions.length
          ? [
              `Options ${prepared.ignoredOptions.map((o) => `\`${o}\``).join(', ')} were ignored: the file has its own front matter.`,
            ]
          : []),
        ...shards,
      ],
    }),
  );
}

function forceName(ctx: BotContext): (slug: string) => string {
  return (slug) => ctx.holder.engine.kb.gazetteer.bySlug(slug)?.name ?? slug;
}

async function remove(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const id = (interaction.options.getString('article') ?? '').trim();
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
  const shards = result.ok ? await reloadOtherShards(interaction, ctx) : [];
  await interaction.editReply(
    result.ok
      ? renderReport(
          'Article removed',
          [
            `\`${id}\`${title ? ` — ${escapeMarkdown(title)}` : ''}`,
            '',
            ...changeLines(result.changes),
            summaryLine(result),
            ...shards,
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

async function gaps(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await interaction.deferReply({ flags: EPHEMERAL });
  const entries = await ctx.gaps.read();
  const protectedWords = ctx.holder.engine.kb.gazetteer.forces.flatMap((f) => tokenize(f.name));
  const s = summariseGaps(entries, { limit: 10, examples: 2, protectedWords });
  if (s.total === 0) {
    await interaction.editReply(
      renderNotice('No gaps recorded yet: every question so far was answered, and no answer was marked 👎.', {
        title: 'Coverage gaps',
      }),
    );
    return;
  }
  const name = (slug: string) => ctx.holder.engine.kb.gazetteer.bySlug(slug)?.name ?? slug;
  const group = (g: GapGroup, label: string) => {
    const kinds = [g.abstained ? `${g.abstained} unanswered` : '', g.unhelpful ? `${g.unhelpful} 👎` : '']
      .filter(Boolean)
      .join(', ');
    const example = g.examples[0] ? ` — e.g. “${escapeMarkdown(cutText(g.examples[0], 120))}”` : '';
    return `**${escapeMarkdown(label)}** · ${g.count} (${kinds})${example}`;
  };
  const field = (title: string, lines: string[]) => ({
    name: title,
    value: fitBlocks(lines.length ? lines : ['—'], LIMITS.fieldValue, (n) => `… and ${n} more`).text,
  });
  const message = fitMessage({
    embeds: [
      {
        title: 'Coverage gaps — what to add articles about',
        description: `${s.total} recorded: ${s.abstained} questions not answered, ${s.unhelpful} answers marked 👎.${
          s.topWords.length
            ? `\nMost asked words: ${s.topWords
                .slice(0, 8)
                .map((w) => `${escapeMarkdown(w.word)} (${w.count})`)
                .join(', ')}`
            : ''
        }`,
        color: COLOURS.neutral,
        fields: [
          field(
            'By force',
            s.byForce.map((g) => group(g, name(g.key))),
          ),
          field(
            'By words',
            s.byWords.map((g) => group(g, g.key)),
          ),
        ],
        footer: { text: `npm run kb -- gaps prints the full summary · ${ctx.gaps.file}` },
      },
    ],
    allowedMentions: NO_MENTIONS,
  });
  await interaction.editReply(message);
}

async function stats(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const s = ctx.holder.summary();
  const last = ctx.holder.lastRefresh;
  const errors = ctx.holder.issues.filter((i) => i.severity === 'error').length;
  const version = await knowledgeVersion(ctx.holder.engine);
  const shards = shardIdsOf(interaction.client);
  const lines = [
    `**Articles:** ${s.articles}`,
    `**Passages:** ${s.passages}`,
    `**Forces covered:** ${s.forcesCovered} of ${s.forcesKnown}`,
    `**Knowledge version:** \`${version}\``,
    ...(shards ? [`**Shard:** ${shards.join(', ')} of ${interaction.client.shard?.count ?? '?'}`] : []),
    `**Uptime:** ${formatDuration(Date.now() - ctx.holder.startedAt.getTime())}`,
    `**Last refresh:** <t:${Math.floor(last.at.getTime() / 1000)}:R> — ${last.ok ? 'OK' : 'failed (previous index kept)'}${last.by ? ` by <@${last.by}>` : ' (at start)'}`,
    ...(errors ? [`⚠️ ${errors} file(s) were left out at the last load: run /kb refresh to see them.`] : []),
  ];
  await interaction.reply({ ...renderReport('Knowledge base', lines), flags: EPHEMERAL });
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

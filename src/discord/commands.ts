import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  SlashCommandOptionsOnlyBuilder,
  SlashCommandStringOption,
  SlashCommandSubcommandsOnlyBuilder,
} from 'discord.js';
import type { Logger } from 'pino';
import type { KnowledgeHolder } from '../answer/holder.js';
import type { BotConfig } from '../config.js';
import type { FetchPageOptions } from '../ingest/fetch-page.js';
import type { GapStore } from '../ingest/gaps.js';
import { renderAnswer, renderChoices } from '../render/discord.js';
import type { AuditLog } from './audit.js';
import { type FeedbackStore, withFeedback } from './feedback.js';
import type { PendingAdds } from './kb-add-url.js';
import type { RateLimiter } from './limits.js';
import { cleanQuestion } from './router.js';

/** What every command gets besides the interaction. */
export interface BotContext {
  config: Pick<BotConfig, 'moderatorRoleIds' | 'apiBase' | 'knowledgeDir'>;
  holder: KnowledgeHolder;
  audit: AuditLog;
  logger: Logger;
  limiter: RateLimiter;
  /** Hosts attachments may be downloaded from. */
  attachmentHosts: readonly string[];
  /** Coverage gaps: abstentions and 👎. */
  gaps: GapStore;
  /** The questions behind recent answers, for 👎. */
  feedback: FeedbackStore;
  /** `/kb add url:` previews waiting for Confirm / Cancel. */
  pendingAdds: PendingAdds;
  /** How `/kb add url:` fetches (safe by default; INGEST_ALLOW_ADDRESSES for tests). */
  fetchOptions: FetchPageOptions;
}

/** A module in commands/: the discord.js guide's shape, plus optional autocomplete. */
export interface Command {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody } & (
    | SlashCommandOptionsOnlyBuilder
    | SlashCommandSubcommandsOnlyBuilder
    | object
  );
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
  /** Buttons and modals whose custom id starts with `<command name>:`. */
  handleComponent?(interaction: ButtonInteraction | ModalSubmitInteraction, ctx: BotContext): Promise<void>;
  /** Whether the rate limit applies (questions do; moderator tools don't). Default true. */
  rateLimited?: boolean;
}

/** The repository's commands/ folder. */
export const COMMANDS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../commands');

/** Imports every commands/*.ts (or .js) module and checks it exports `data` and `execute`. */
export async function loadCommands(dir: string = COMMANDS_DIR): Promise<Map<string, Command>> {
  const files = (await readdir(dir))
    .filter((f) => /\.(?:ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort();
  const commands = new Map<string, Command>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Partial<Command>;
    if (!mod.data || typeof mod.execute !== 'function' || typeof mod.data.toJSON !== 'function')
      throw new Error(`commands/${file} must export \`data\` (a SlashCommandBuilder) and \`execute\``);
    if (commands.has(mod.data.name)) throw new Error(`commands/${file}: duplicate command /${mod.data.name}`);
    commands.set(mod.data.name, mod as Command);
  }
  return commands;
}

/** The `force` option every force command shares: required, autocompleted. */
export function forceOption(o: SlashCommandStringOption): SlashCommandStringOption {
  return o
    .setName('force')
    .setDescription('The police force, e.g. west-midlands or Wiltshire Police')
    .setRequired(true)
    .setAutocomplete(true)
    .setMaxLength(100);
}

/**
 * The option being typed in an autocomplete, or null when the payload marks none (discord.js throws then).
 */
export function focusedOption(interaction: AutocompleteInteraction): { name: string; value: string } | null {
  try {
    const f = interaction.options.getFocused(true);
    return { name: f.name, value: String(f.value ?? '') };
  } catch {
    return null;
  }
}

/** Autocomplete for `force`: slugs, names and aliases; forces with evidence first; ≤ 25 choices. */
export async function autocompleteForce(
  interaction: AutocompleteInteraction,
  ctx: BotContext,
): Promise<void> {
  const focused = focusedOption(interaction);
  if (focused?.name !== 'force') {
    await interaction.respond([]);
    return;
  }
  const { gazetteer } = ctx.holder.engine.kb;
  const withEvidence = ctx.holder.forcesWithEvidence();
  const forces = gazetteer.suggest(String(focused.value), { limit: 25, preferred: withEvidence });
  const stage = (slug: string) => ctx.holder.engine.statuses.get(slug)?.stage;
  await interaction.respond(
    renderChoices(
      forces.map((f) => {
        const st = stage(f.slug);
        const tag =
          st === 'engage'
            ? ' — Engage'
            : st === 'scan'
              ? ' — Scan'
              : withEvidence.has(f.slug)
                ? ''
                : ' (no articles yet)';
        return { name: `${f.name}${tag}`, value: f.slug };
      }),
    ),
  );
}

/** Runs `/<intent> <force>` (or a question) through the engine and replies with the rendered answer. */
export async function replyWithAnswer(
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
  query: string,
  opts: { question?: string } = {},
): Promise<void> {
  const answer = ctx.holder.engine.answer(cleanQuestion(query));
  ctx.logger.debug(
    { query, intent: answer.intent, force: answer.force, answered: answer.answered },
    'answer',
  );
  await interaction.reply(
    withFeedback(
      renderAnswer(answer, opts),
      answer,
      // A DM channel would say who asked: coverage gaps record no channel for DMs.
      { question: query, channelId: interaction.inGuild() ? interaction.channelId : null },
      ctx,
    ),
  );
}

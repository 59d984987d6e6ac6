import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  SlashCommandBuilder,
} from 'discord.js';
import { autocompleteForce, type BotContext, forceOption, replyWithAnswer } from '../src/discord/commands.js';

export const data = new SlashCommandBuilder()
  .setName('findings')
  .setDescription('What inspectors found about a police force, quoted and cited')
  .addStringOption(forceOption);

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  // Required, but a stale registration or a client may leave it out: the engine then asks which force.
  const force = interaction.options.getString('force') ?? '';
  await replyWithAnswer(interaction, ctx, `/findings ${force}`);
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  await autocompleteForce(interaction, ctx);
}

import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  SlashCommandBuilder,
} from 'discord.js';
import { autocompleteForce, type BotContext, forceOption, replyWithAnswer } from '../src/discord/commands.js';

export const data = new SlashCommandBuilder()
  .setName('status')
  .setDescription('Is a police force in special measures (Engage)? Its stage, dates and the sources')
  .addStringOption(forceOption);

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  // Required, but a stale registration or a client may leave it out: the engine then asks which force.
  const force = interaction.options.getString('force') ?? '';
  await replyWithAnswer(interaction, ctx, `/status ${force}`);
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  await autocompleteForce(interaction, ctx);
}

import { type ChatInputCommandInteraction, SlashCommandBuilder } from 'discord.js';
import { type BotContext, replyWithAnswer } from '../src/discord/commands.js';

export const data = new SlashCommandBuilder()
  .setName('sources')
  .setDescription('The news articles behind the answers, newest first');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await replyWithAnswer(interaction, ctx, '/sources');
}

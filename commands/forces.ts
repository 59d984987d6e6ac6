import { type ChatInputCommandInteraction, SlashCommandBuilder } from 'discord.js';
import { type BotContext, replyWithAnswer } from '../src/discord/commands.js';

export const data = new SlashCommandBuilder()
  .setName('forces')
  .setDescription('Every police force the knowledge base has evidence on, with its monitoring stage');

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  await replyWithAnswer(interaction, ctx, '/forces');
}

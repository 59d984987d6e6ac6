import { type ChatInputCommandInteraction, SlashCommandBuilder } from 'discord.js';
import { type BotContext, replyWithAnswer } from '../src/discord/commands.js';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask a question about police inspections; the answer quotes and cites news articles')
  .addStringOption((o) =>
    o
      .setName('question')
      .setDescription('e.g. Is West Midlands Police in special measures?')
      .setRequired(true)
      .setMaxLength(500),
  );

export async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const question = interaction.options.getString('question') ?? '';
  await replyWithAnswer(interaction, ctx, question, { question });
}

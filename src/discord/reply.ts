import { DiscordAPIError, type Message, PermissionFlagsBits } from 'discord.js';
import { type DiscordMessage, embedsAsText } from '../render/discord.js';

/**
 * Posting in channels with whatever permissions the bot has there. Discord refuses a whole message the bot
 * lacks a permission for (403 50013): Send Messages (Send Messages in Threads in a thread), Embed Links for
 * an embed, Read Message History for a reply. So the bot looks first: it stays silent where it may not
 * send, answers as plain text where it may not embed, and posts without the reply reference where it may
 * not read the history. Interaction replies need none of this: they are not channel messages.
 */
export interface ChannelAbilities {
  send: boolean;
  embed: boolean;
  /** Reply to the question (message_reference). */
  reply: boolean;
  /** Start a thread from the question and post in it. */
  thread: boolean;
}

const ALL: ChannelAbilities = { send: true, embed: true, reply: true, thread: true };
const DM: ChannelAbilities = { ...ALL, thread: false };

/**
 * What the bot may do in a message's channel, from the permissions discord.js has cached (guild roles and
 * channel overwrites). DMs: everything. Unknown (a thread whose parent is not cached): everything, and
 * Discord has the last word.
 */
export function abilitiesFor(message: Message): ChannelAbilities {
  const channel = message.channel;
  if (!message.inGuild()) return DM;
  if (!('permissionsFor' in channel)) return ALL;
  const perms = channel.permissionsFor(message.client.user);
  if (!perms) return ALL;
  const inThread = channel.isThread();
  const send =
    perms.has(PermissionFlagsBits.ViewChannel) &&
    perms.has(inThread ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages);
  return {
    send,
    // Discord: no Send Messages, no Embed Links either (discord.js does not apply that rule).
    embed: send && perms.has(PermissionFlagsBits.EmbedLinks),
    reply: perms.has(PermissionFlagsBits.ReadMessageHistory),
    thread:
      !inThread &&
      perms.has(PermissionFlagsBits.CreatePublicThreads) &&
      perms.has(PermissionFlagsBits.SendMessagesInThreads),
  };
}

/** The message as this channel allows it: embeds turned into text without Embed Links. */
export function shapeFor(msg: DiscordMessage, can: ChannelAbilities): DiscordMessage {
  return can.embed ? msg : embedsAsText(msg);
}

/**
 * Replies to `message` (or, without Read Message History, posts in its channel); null when the bot may not
 * send there at all.
 */
export async function postReply(
  message: Message,
  msg: DiscordMessage,
  can: ChannelAbilities = abilitiesFor(message),
): Promise<Message | null> {
  if (!can.send) return null;
  const body = shapeFor(msg, can);
  if (can.reply) return message.reply(body);
  if (!message.channel.isSendable()) return null;
  return message.channel.send(body);
}

/**
 * Discord errors that say the bot cannot post here (permissions, a channel or message gone, an archived
 * thread): a warning, not an error, and no apology (it could not be posted either).
 */
const CANNOT_POST = new Set([
  10003, // Unknown Channel
  10008, // Unknown Message
  50001, // Missing Access
  50013, // Missing Permissions
  50083, // Thread is archived
  160002, // Cannot reply without permission to read message history
  160005, // Thread is locked
]);

export function cannotPost(err: unknown): err is DiscordAPIError {
  return err instanceof DiscordAPIError && typeof err.code === 'number' && CANNOT_POST.has(err.code);
}

import { ChannelType, type Client, Events, type Message } from 'discord.js';
import type { GatewayMessageCreateDispatchData } from 'discord-api-types/v10';
import type { Logger } from 'pino';

/**
 * Gateway events discord.js 14 cannot handle as they come, fixed up before it sees them. The client's raw
 * event is emitted with the packet before discord.js handles it, so a listener can fill in what is missing
 * (interactions) or notice what discord.js will drop (messages in unknown channels).
 */
export function handleGatewayGaps(
  client: Client,
  onMessage: (message: Message) => void,
  logger: Logger,
): void {
  client.on(Events.Raw, (packet: { t?: unknown; d?: unknown }) => {
    if (typeof packet.d !== 'object' || packet.d === null) return;
    if (packet.t === 'INTERACTION_CREATE') fillInteraction(packet.d as Record<string, unknown>);
    else if (packet.t === 'MESSAGE_CREATE') recoverMessage(client, packet.d, onMessage, logger);
  });
}

/**
 * discord.js throws (and the interaction is lost, unanswered) on an INTERACTION_CREATE without
 * `authorizing_integration_owners` or `entitlements`, fields Discord added in 2024 and 2023; it also takes
 * the channel only from the `channel` object, not from the older `channel_id`. Missing owners stay unknown
 * (`{}`), which `/kb` treats as not installed in the server unless the bot is in it.
 */
export function fillInteraction(d: Record<string, unknown>): void {
  if (typeof d.authorizing_integration_owners !== 'object' || d.authorizing_integration_owners === null)
    d.authorizing_integration_owners = {};
  if (!Array.isArray(d.entitlements)) d.entitlements = [];
  if ((typeof d.channel !== 'object' || d.channel === null) && typeof d.channel_id === 'string')
    d.channel = { id: d.channel_id };
}

/**
 * Messages in channels discord.js does not know. discord.js builds the channel of a MESSAGE_CREATE from its
 * cache, or (with `Partials.Channel`) from the event's `channel_type`; when it can do neither — a thread it
 * never heard of (created while the bot was offline, archived before the GUILD_CREATE) or a DM, in an event
 * without `channel_type` (Discord documented that field only in 2026) — it drops the message without a word.
 * Here such a message's channel is fetched from Discord and the message handed on as discord.js would have.
 */
function recoverMessage(
  client: Client,
  raw: object,
  onMessage: (message: Message) => void,
  logger: Logger,
): void {
  const data = raw as GatewayMessageCreateDispatchData;
  // Before READY, discord.js queues events and its caches are still filling: it will handle these itself.
  if (!client.isReady() || !willBeDropped(client, data)) return;
  // The bot never answers bots (or itself): no need to fetch anything for them.
  if (data.author?.bot) return;
  recover(client, data).then(
    (message) => {
      if (message) onMessage(message);
    },
    (err: unknown) =>
      logger.warn({ err, channel: data.channel_id, message: data.id }, 'could not fetch an unknown channel'),
  );
}

/** Whether discord.js (with `Partials.Channel`) will find no channel for this message. */
export function willBeDropped(client: Client, data: GatewayMessageCreateDispatchData): boolean {
  if (typeof data.channel_id !== 'string' || client.channels.cache.has(data.channel_id)) return false;
  const type = (data as { channel_type?: unknown }).channel_type;
  if (typeof type !== 'number') return true;
  if (data.guild_id) return !client.guilds.cache.has(data.guild_id);
  return type !== ChannelType.DM && type !== ChannelType.GroupDM;
}

async function recover(client: Client, data: GatewayMessageCreateDispatchData): Promise<Message | null> {
  const channel = await client.channels.fetch(data.channel_id);
  if (!channel?.isTextBased()) return null;
  // discord.js had it after all (or the same event came twice).
  if (channel.messages.cache.has(data.id)) return null;
  // discord.js builds and caches messages from gateway data here; it has no public way to do it.
  const manager = channel.messages as unknown as { _add(raw: unknown): Message };
  return manager._add(data);
}

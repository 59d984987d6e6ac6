/**
 * A fake Discord (REST API + gateway) on 127.0.0.1 for end-to-end tests of the REAL, unmodified discord.js Client.
 *
 * Usage:
 * ```ts
 * const fake = await startFakeDiscord();              // one guild "Fake Guild" with #general, one test user
 * const client = new Client({ intents: [...], rest: { api: fake.apiBase } });
 * const ready = once(client, Events.ClientReady);    // wait for ClientReady, not just the login() promise
 * await client.login('any-token');
 * await ready;
 *
 * const handle = await fake.sendInteraction({ type: 'command', name: 'ask', options: { question: 'hi' } });
 * const res = await handle.waitForResponse();         // the interaction callback (type 4/5/8/...)
 * const msg = await handle.waitForOriginal((m) => m.content.includes('answer'));  // after editReply
 *
 * await fake.sendMessage({ content: 'hello', mentionsBot: true });
 * const sent = await fake.waitForChannelMessage(fake.defaultChannelId, (m) => m.body.content === 'hi');
 *
 * client.destroy(); await fake.close();               // destroy the client first, then close the fake
 * ```
 *
 * What it does:
 * - Gateway (ws://127.0.0.1:PORT/gateway, JSON encoding): HELLO, IDENTIFY → READY + GUILD_CREATE per guild,
 *   heartbeat ACKs, RESUME (RESUMED or INVALID_SESSION), REQUEST_GUILD_MEMBERS → one chunk. Dispatches
 *   INTERACTION_CREATE / MESSAGE_CREATE (honouring GuildMessages / MessageContent intents) / THREAD_CREATE, and echoes
 *   the bot's own messages back as MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE like Discord does
 *   (disable with `echoOwnMessages: false`).
 * - REST (http://127.0.0.1:PORT/api/v10/...): gateway/bot, users/@me, interaction callbacks (3 s window, single ack),
 *   webhook @original get/edit/delete and follow-ups, channel messages (replies, edits, deletes), threads,
 *   command registration, typing, reactions. Unknown routes are recorded with `matched: false` and answered
 *   404 + JSON (and warned on stderr unless `logUnknownRoutes: false`).
 * - Validates bodies like the real API (see ./fake-discord-validate.ts) and answers 400
 *   `{ code: 50035, message: 'Invalid Form Body', errors }`, 50006 for empty messages, 10062 / 40060 for interactions.
 * - Serves attachments over HTTP: `fake.serveAttachment(...)` and files the bot uploads.
 * - DMs: `sendMessage({ guildId: null, ... })` / `sendInteraction({ guildId: null, ... })`, and the bot's
 *   `user.send()` (POST /users/@me/channels). The client needs `Partials.Channel` to see DMs, as with real Discord.
 * - Sharding: IDENTIFY with `shard: [id, count]` (an invalid pair closes 4010 "Invalid shard"); each session gets
 *   READY / GUILD_CREATE only for the guilds it owns — `(BigInt(guild_id) >> 22n) % count === id`, as Discord
 *   routes them — and every guild event (interactions, messages, echoes, threads) goes only to the session(s)
 *   owning its guild; DMs and events without a guild go to shard 0. `GET /gateway/bot` recommends
 *   `shards` (option, default 1). `snowflakeForShard(id, count)` makes guild ids that land on a given shard;
 *   `waitForShards(count)` waits until shards 0..count-1 are identified; `gatewayEvents[].shard` says which
 *   shard got each dispatch.
 *
 * - Permissions: channels take `permissionOverwrites`; the bot's permissions in a channel are computed like
 *   Discord's (guild roles, @everyone / role / member overwrites, threads from their parent, no View Channel →
 *   nothing) and enforced on its REST calls: 403 50001 Missing Access without View Channel (or in a guild or
 *   private channel it is not in), 403 50013 Missing Permissions without Send Messages (Send Messages in
 *   Threads in a thread), Embed Links for embeds, Attach Files for files, Create Public/Private Threads
 *   for threads; a reply without Read Message History gets 403 160002. Interactions carry `app_permissions` and the member's channel
 *   permissions; interaction replies need no channel permission, as with Discord.
 * - The world changing after READY: `addGuild` (joined later), guilds in an outage (`unavailable`) and
 *   `setGuildAvailable`, `addChannel` (a channel or a member's thread, announced or never seen),
 *   `createForumPost`, `setPermissionOverwrites`.
 * - Faults: `failRequests` fails REST requests like Discord (429 with Retry-After, 5xx, 4xx codes such as
 *   50013 or 10062); gateway `requestReconnect` (op 7), `invalidateSession` (op 9, resumable or not),
 *   `closeGateway(code)` (4000 resumable, 4009 not), `heartbeatAcks = false` (a zombie connection).
 * - Other Discord shapes: replies with the ping switched off (`mentionRepliedUser: false`), forwarded
 *   messages (`forwardOf`: `message_snapshots`), MESSAGE_CREATE
 *   without `channel_type` (`omitChannelType`), user-installed and private-channel interactions (`context`,
 *   `authorizingIntegrationOwners`), context menu commands (`commandType`), and `mutate` for anything else.
 *
 * Notes: `waitForChannelMessage` matches only `POST /channels/:id/messages`; interaction replies, edits and
 * follow-ups are on the handle (or `sentMessages` with `via`). A PONG (callback type 1) is rejected with 400:
 * gateway interactions are never PINGs. Content lengths count code points.
 *
 * Everything received is recorded: `fake.requests`, `fake.sentMessages`, `fake.gatewayEvents`, `fake.identifies`.
 * All `waitFor*` helpers resolve with the FIRST matching record (already-received ones included) and, on timeout,
 * reject with an error listing what was received.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermissionFlagsBits } from 'discord.js';
import type {
  APIApplicationCommand,
  APIApplicationCommandInteractionDataOption,
  APIApplicationCommandOptionChoice,
  APIAttachment,
  APIEmbed,
  APIGuildMember,
  APIInteraction,
  APIMessage,
  APIMessageTopLevelComponent,
  APIModalInteractionResponseCallbackData,
  APIRole,
  APIUser,
  GatewayMessageCreateDispatchData,
  GuildMemberFlags,
  RESTPostAPIChannelMessageJSONBody,
  RoleFlags,
  UserFlags,
} from 'discord-api-types/v10';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type DiscordErrorBody,
  isEmptyMessage,
  isRecord,
  MESSAGE_FLAG_EPHEMERAL,
  MESSAGE_FLAG_HAS_THREAD,
  MESSAGE_FLAG_LOADING,
  Validator,
  validateAutocompleteData,
  validateCommandList,
  validateMessageBody,
  validateModalData,
  validateThreadBody,
} from './fake-discord-validate.js';

export type { DiscordErrorBody, ErrorTree, FieldError } from './fake-discord-validate.js';

// ───────────────────────────── public types ─────────────────────────────

export interface FakeUserInput {
  id: string;
  username?: string;
  globalName?: string;
  bot?: boolean;
}

export interface FakeChannelInput {
  id: string;
  name: string;
  /** discord ChannelType; default 0 (GuildText). 11/12 make a thread (`parentId` its channel), 15 a forum. */
  type?: number;
  parentId?: string;
  topic?: string;
  /** Channel permission overwrites, applied like Discord does (see `channelPermissions`). */
  permissionOverwrites?: FakeOverwriteInput[];
}

/** A channel permission overwrite: `type` 0 for a role (the guild id is @everyone), 1 for a member. */
export interface FakeOverwriteInput {
  id: string;
  type: 0 | 1;
  allow?: bigint | string;
  deny?: bigint | string;
}

export interface FakeRoleInput {
  id: string;
  name: string;
  permissions?: bigint | string;
  position?: number;
}

export interface FakeMemberInput extends FakeUserInput {
  /** Role ids (not including @everyone). */
  roles?: string[];
  nick?: string;
}

export interface FakeGuild {
  id: string;
  name?: string;
  ownerId?: string;
  channels?: FakeChannelInput[];
  /** The @everyone role (id = guild id) is added automatically unless given. */
  roles?: FakeRoleInput[];
  /** The bot is added automatically. */
  members?: FakeMemberInput[];
  /** Permissions of @everyone; default: view/send/embed/attach/history/react/use commands/threads. */
  everyonePermissions?: bigint | string;
  /**
   * The guild is in an outage: READY lists it as unavailable, and instead of its GUILD_CREATE the bot gets
   * GUILD_DELETE `{ id, unavailable: true }` (`'outage'`, as Discord documents) or nothing at all
   * (`'silent'`). `setGuildAvailable(id)` ends the outage with a full GUILD_CREATE.
   */
  unavailable?: 'outage' | 'silent';
  /**
   * Default true. False: the bot user is not in this guild (the app is only user-installed there): no
   * READY/GUILD_CREATE for it, REST calls to its channels get 403 50001, interactions carry
   * `authorizing_integration_owners: { '1': user }`.
   */
  botIsMember?: boolean;
}

export interface FakeDiscordOptions {
  botUserId?: string;
  botUsername?: string;
  /** Defaults to botUserId (as for real bots). */
  applicationId?: string;
  /** If set, REST `Authorization: Bot <token>` and IDENTIFY must use it (else 401 / close 4004). */
  token?: string;
  /** Default: one guild with one text channel `#general` and the default user as a member. */
  guilds?: FakeGuild[];
  /** The user that sends interactions/messages when none is given. */
  defaultUser?: FakeUserInput;
  /** Permissions of the bot's managed role in every guild. Default: @everyone's plus thread management. */
  botPermissions?: bigint | string;
  /** How long after dispatch an interaction may be acknowledged. Default 3000 (Discord's 3 s). */
  interactionWindowMs?: number;
  /** How long the interaction token works for webhooks (edits/follow-ups). Default 15 min. */
  interactionTokenTtlMs?: number;
  /** Clock used for the windows above and timestamps; override to simulate lateness. Default Date.now. */
  now?: () => number;
  /** Gateway heartbeat interval sent in HELLO. Default 41250. */
  heartbeatIntervalMs?: number;
  /** Dispatch MESSAGE_CREATE/UPDATE/DELETE for the bot's own messages, as Discord does. Default true. */
  echoOwnMessages?: boolean;
  /** Warn on stderr for unknown routes. Default true. */
  logUnknownRoutes?: boolean;
  /** Default timeout of the waitFor* helpers. Default 2000. */
  defaultTimeoutMs?: number;
  /** The shard count `GET /gateway/bot` recommends. Default 1. */
  shards?: number;
}

export interface RecordedFile {
  /** Multipart field name, e.g. `files[0]`. */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Decoded path relative to /api/v10 (e.g. `/webhooks/1/tok/messages/@original`), or `/attachments/...`. */
  path: string;
  /** The raw request URL. */
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON, or for multipart the parsed `payload_json` (other text fields merged in). */
  body: unknown;
  files: RecordedFile[];
  status: number;
  /** The JSON sent back (undefined for 204 / binary). */
  response: unknown;
  /** False when no route matched (missing coverage in the fake, or a wrong route in the bot). */
  matched: boolean;
  at: number;
}

/** The JSON body of a message create/edit, after validation. */
export type MessageBody = RESTPostAPIChannelMessageJSONBody;

/** A message as the fake stores and dispatches it. */
export type FakeMessage = GatewayMessageCreateDispatchData;

export type SentVia =
  | 'channel'
  | 'edit-channel'
  | 'interaction-callback'
  | 'interaction-update'
  | 'edit-original'
  | 'followup'
  | 'edit-followup';

/** Something the bot successfully sent or edited. */
export interface SentMessage {
  via: SentVia;
  channelId: string;
  messageId: string;
  interactionId?: string;
  /** What the bot sent (for callbacks: the callback's `data`). `allowed_mentions` is here as sent. */
  body: MessageBody;
  files: RecordedFile[];
  /** Snapshot of the resulting message. */
  message: FakeMessage;
  ephemeral: boolean;
  request: RecordedRequest;
}

export type InteractionKind = 'command' | 'autocomplete' | 'button' | 'select' | 'modal';

export interface InteractionCallbackRecord {
  /** Callback type: 4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
  type: number;
  accepted: boolean;
  status: number;
  /** The error returned when not accepted. */
  error?: DiscordErrorBody;
  /** Raw `data`. */
  data: unknown;
  /** For types 4 / 7. */
  message?: MessageBody;
  /** For type 8. */
  choices?: APIApplicationCommandOptionChoice[];
  /** For type 9. */
  modal?: APIModalInteractionResponseCallbackData;
  flags: number;
  ephemeral: boolean;
  /** ms between dispatch and the callback, by the fake's clock. */
  latencyMs: number;
  files: RecordedFile[];
  request: RecordedRequest;
}

export interface WaitOptions {
  timeoutMs?: number;
}

export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly kind: InteractionKind;
  readonly payload: APIInteraction;
  readonly channelId: string;
  readonly guildId: string | null;
  readonly dispatchedAt: number;
  /** Every callback attempt, accepted or not. */
  readonly callbacks: readonly InteractionCallbackRecord[];
  /** The accepted callback, if any. */
  readonly response: InteractionCallbackRecord | undefined;
  /** Current state of @original (reply / deferred placeholder / edited), if any. */
  readonly original: FakeMessage | undefined;
  readonly followUps: readonly FakeMessage[];
  /** Resolves with the first ACCEPTED callback; rejects early if a callback was rejected. */
  waitForResponse(opts?: WaitOptions): Promise<InteractionCallbackRecord>;
  /** Resolves when @original exists, is not a loading placeholder, and matches `predicate`. */
  waitForOriginal(predicate?: (m: FakeMessage) => boolean, opts?: WaitOptions): Promise<FakeMessage>;
  waitForFollowUp(predicate?: (m: FakeMessage) => boolean, opts?: WaitOptions): Promise<FakeMessage>;
}

interface InteractionInputBase {
  /** `null` for a DM. Default: the channel's guild, else the first guild. */
  guildId?: string | null;
  /** Default: the first text channel of the guild. */
  channelId?: string;
  user?: FakeUserInput;
  /** The member's permissions in the channel; default computed from roles (@everyone + member roles). */
  permissions?: bigint | string;
  /** Member role ids; default the member's configured roles. */
  roles?: string[];
  locale?: string;
  /**
   * Where the command was run (Discord's interaction context): 0 a guild, 1 the bot's DM, 2 a DM or group DM
   * between users (only for a user-installed app). Default: 0 in a guild, 1 in a DM. With 2 the interaction
   * comes from a private channel the bot cannot post in (a group DM the bot is not in).
   */
  context?: 0 | 1 | 2;
  /** Default: `{ '0': guild }` in a guild the bot is in, else `{ '1': user }` (user install). */
  authorizingIntegrationOwners?: Record<string, string>;
  /** The bot's permissions in the channel; default computed from its roles and the channel's overwrites. */
  appPermissions?: bigint | string;
  /** Last-minute changes to the payload before it is dispatched (fields Discord may leave out, etc.). */
  mutate?: (payload: Record<string, unknown>) => void;
}

export type OptionValue = string | number | boolean | APIAttachment;

export interface CommandInteractionInput extends InteractionInputBase {
  type: 'command';
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  /**
   * Either raw options, or a record: strings → STRING, integers → INTEGER, other numbers → NUMBER,
   * booleans → BOOLEAN, attachments (from `serveAttachment`) → ATTACHMENT with `resolved.attachments`.
   */
  options?: Record<string, OptionValue> | APIApplicationCommandInteractionDataOption[];
  commandId?: string;
  /** 1 slash command (default), 2 user context menu, 3 message context menu (with `targetId`). */
  commandType?: 1 | 2 | 3;
  /** For context menu commands: the user or message it was used on. */
  targetId?: string;
}

export interface AutocompleteInteractionInput extends InteractionInputBase {
  type: 'autocomplete';
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  options?: Record<string, OptionValue> | APIApplicationCommandInteractionDataOption[];
  /** Name of the focused option (must be in `options`; added as '' if absent). */
  focused: string;
  commandId?: string;
}

export interface ButtonInteractionInput extends InteractionInputBase {
  type: 'button';
  customId: string;
  /** Message carrying the button: id of a stored message, or a message. Default: the latest stored message in
   * the channel with a component of this custom_id, else a synthesized bot message. */
  message?: string | FakeMessage;
}

export interface SelectInteractionInput extends InteractionInputBase {
  type: 'select';
  customId: string;
  values: string[];
  message?: string | FakeMessage;
}

export interface ModalInteractionInput extends InteractionInputBase {
  type: 'modal';
  customId: string;
  /** text input custom_id → value */
  fields: Record<string, string>;
}

export type InteractionInput =
  | CommandInteractionInput
  | AutocompleteInteractionInput
  | ButtonInteractionInput
  | SelectInteractionInput
  | ModalInteractionInput;

export interface SendMessageInput {
  content: string;
  /** Default: the default channel; with `guildId: null`, the author's DM channel with the bot. */
  channelId?: string;
  /** `null` for a direct message (an unknown `channelId` then becomes a DM channel). */
  guildId?: string | null;
  author?: FakeUserInput;
  /** Send as a webhook message (author is the webhook, `webhook_id` set, no member). */
  webhookId?: string;
  /** Prepends `<@botId> ` to the content if it does not mention the bot already. */
  mentionsBot?: boolean;
  messageReference?: { messageId: string; channelId?: string };
  /**
   * Forward a stored message (Discord's "Forward"): `message_reference` of type 1 and the forwarded
   * message in `message_snapshots`; the forward's own `content` is usually empty.
   */
  forwardOf?: string;
  /**
   * For a reply: whether it pings the author of the message replied to (Discord's "@ ON", the default).
   * Off, that author is not in `mentions`, as with Discord.
   */
  mentionRepliedUser?: boolean;
  /**
   * Leave `channel_type` out of MESSAGE_CREATE (Discord only documented it in 2026; older gateways and
   * other fakes send no such field).
   */
  omitChannelType?: boolean;
  attachments?: APIAttachment[];
  embeds?: APIEmbed[];
  /** Message type (0 default, 19 reply is set automatically with `messageReference`). */
  type?: number;
}

export interface ForumPostInput {
  forumId: string;
  /** The post's title (the thread's name). */
  name: string;
  content: string;
  author?: FakeUserInput;
  mentionsBot?: boolean;
  /** Default true; false: no THREAD_CREATE, the first message arrives in a channel the bot never saw. */
  announce?: boolean;
  omitChannelType?: boolean;
}

export interface DispatchedMessage {
  message: FakeMessage;
  /** False when the client's intents don't include GuildMessages/DirectMessages for it. */
  delivered: boolean;
  /** False when content/embeds/attachments were blanked because MessageContent intent is missing. */
  contentVisible: boolean;
}

export interface GatewayEventRecord {
  t: string;
  seq: number;
  d: unknown;
  at: number;
  /** The shard id of the session it was sent to (0 when not sharded). */
  shard: number;
}

export interface IdentifyRecord {
  token: string;
  intents: number;
  properties: unknown;
  shard: unknown;
  at: number;
}

export interface ServeAttachmentInput {
  filename: string;
  contentType: string;
  body: string | Buffer | Uint8Array;
  description?: string;
}

/** REST requests the fake fails on purpose, as Discord can (see `failRequests`). */
export interface RequestFailure {
  /** Only this HTTP method; default any. */
  method?: string;
  /** The path relative to /api/v10 (e.g. `/channels/1/messages`): contains this string, or matches this RegExp. */
  path: string | RegExp;
  /** 429 (rate limited), 5xx, or a 4xx with Discord's JSON `{ code, message }`. */
  status: number;
  code?: number;
  message?: string;
  /** 429: seconds are sent in `Retry-After` and `retry_after`, as Discord does. Default 100 ms. */
  retryAfterMs?: number;
  /** 429: a global limit (`X-RateLimit-Global`, `"global": true`). */
  global?: boolean;
  /** How many matching requests fail; default 1. */
  times?: number;
}

export interface ResponseReshape {
  method?: string;
  path: string | RegExp;
  /** Returns the body to send instead (it may change the one given). */
  reshape: (body: Record<string, unknown>) => unknown;
  /** How many matching responses; default 1. */
  times?: number;
}

export interface InjectedFailure {
  /** Requests failed so far. */
  readonly hits: number;
  /** Stops failing requests. */
  cancel(): void;
}

export interface FakeDiscord {
  /** Pass as `new Client({ rest: { api: fake.apiBase } })`. */
  readonly apiBase: string;
  readonly httpBase: string;
  readonly gatewayUrl: string;
  readonly port: number;
  readonly botUser: APIUser;
  readonly applicationId: string;
  readonly defaultGuildId: string;
  readonly defaultChannelId: string;
  readonly defaultUser: APIUser;

  readonly requests: readonly RecordedRequest[];
  /** Requests no route matched. */
  readonly unmatchedRequests: readonly RecordedRequest[];
  /** Requests answered with status >= 400 (validation failures etc.). */
  readonly failedRequests: readonly RecordedRequest[];
  readonly sentMessages: readonly SentMessage[];
  readonly gatewayEvents: readonly GatewayEventRecord[];
  readonly identifies: readonly IdentifyRecord[];
  readonly heartbeats: number;
  readonly registeredCommands: {
    global: APIApplicationCommand[];
    guild: Record<string, APIApplicationCommand[]>;
  };
  /** Errors thrown inside the fake's handlers (answered 500). Should stay empty. */
  readonly internalErrors: readonly Error[];

  sendInteraction(input: InteractionInput): Promise<InteractionHandle>;
  sendMessage(input: SendMessageInput): Promise<DispatchedMessage>;
  /** Send any dispatch event to the identified gateway sessions; returns how many got it. */
  dispatch(t: string, d: unknown): number;

  // world changes after READY
  /** The id of the bot's managed role (its integration role, with `tags.bot_id`) in a guild. */
  botRoleId(guildId: string): string;
  /** The bot's permissions in a channel (a thread: its parent's), as Discord computes them. */
  botPermissionsIn(channelId: string): bigint;
  /** The bot joins a guild: GUILD_CREATE (or, in an outage, GUILD_DELETE unavailable) to its shard. */
  addGuild(guild: FakeGuild): void;
  /** Ends a guild's outage (`FakeGuild.unavailable`): its full GUILD_CREATE is dispatched. */
  setGuildAvailable(guildId: string): void;
  /**
   * Adds a channel, or a thread (type 10/11/12 with `parentId`) started by a member, and announces it with
   * CHANNEL_CREATE or THREAD_CREATE — or, with `announce: false`, not at all: a thread the bot never heard
   * of (one created while it was offline, or older than the GUILD_CREATE).
   */
  addChannel(
    guildId: string,
    channel: FakeChannelInput,
    opts?: { announce?: boolean },
  ): Record<string, unknown>;
  /** Replaces a channel's permission overwrites and dispatches CHANNEL_UPDATE. */
  setPermissionOverwrites(channelId: string, overwrites: FakeOverwriteInput[]): void;
  /**
   * A member opens a forum post: the thread (THREAD_CREATE unless `announce: false`), then its first
   * message, whose id is the thread's id, as Discord does.
   */
  createForumPost(
    input: ForumPostInput,
  ): Promise<{ thread: Record<string, unknown>; message: DispatchedMessage }>;
  /**
   * Fails the next `times` REST requests matching `path` (and `method`) with `status`, shaped like Discord's:
   * 429 with `Retry-After`/`X-RateLimit-*` headers and `{ message, retry_after, global }`, 5xx with a plain
   * body, 4xx with `{ code, message }` (e.g. 50013 Missing Permissions, 10062 Unknown interaction).
   */
  failRequests(failure: RequestFailure): InjectedFailure;
  /**
   * Changes the JSON body of the next `times` successful responses to requests matching `path` (and
   * `method`): for payloads a terser Discord (or another fake) might send, e.g. a message without `author`.
   */
  reshapeResponses(rule: ResponseReshape): InjectedFailure;

  // gateway
  /** Sends op 7 RECONNECT to every identified session; returns how many got it. */
  requestReconnect(): number;
  /** Sends op 9 INVALID_SESSION; not resumable: a later RESUME of those sessions is refused too. */
  invalidateSession(resumable: boolean): number;
  /** Closes every gateway connection with `code` (4009 also makes the session non-resumable). */
  closeGateway(code: number, reason?: string, opts?: { invalidate?: boolean }): number;
  /** Whether heartbeats get op 11 ACKs (false: the connection looks like a zombie to the client). */
  heartbeatAcks: boolean;
  /** RESUMED dispatches sent so far. */
  readonly resumes: number;

  waitForReady(opts?: WaitOptions): Promise<IdentifyRecord>;
  /** Waits until identified sessions cover shards 0..count-1 (each IDENTIFYed with `[id, count]`). */
  waitForShards(count: number, opts?: WaitOptions): Promise<IdentifyRecord[]>;
  /** The shard id (for `count` shards) that owns a guild: `(guild_id >> 22) % count`. */
  shardOf(guildId: string, count: number): number;
  /** Identified gateway sessions and their `[id, count]` (one per connected shard). */
  readonly shardSessions: readonly { shard: [number, number]; sessionId: string | null }[];
  waitForInteractionResponse(
    handle: InteractionHandle,
    opts?: WaitOptions,
  ): Promise<InteractionCallbackRecord>;
  waitForChannelMessage(
    channelId: string,
    predicate?: (m: SentMessage) => boolean,
    opts?: WaitOptions,
  ): Promise<SentMessage>;
  waitForSentMessage(predicate: (m: SentMessage) => boolean, opts?: WaitOptions): Promise<SentMessage>;
  waitForRequest(predicate: (r: RecordedRequest) => boolean, opts?: WaitOptions): Promise<RecordedRequest>;
  /** Current (non-deleted) messages of a channel, oldest first; includes user and bot messages. */
  channelMessages(channelId: string): FakeMessage[];
  getChannel(channelId: string): Record<string, unknown> | undefined;
  /** Threads created by the bot. */
  readonly threads: readonly Record<string, unknown>[];

  /** Serves a file over HTTP and returns the attachment object to put in a message or command option. */
  serveAttachment(input: ServeAttachmentInput): APIAttachment;
  serveAttachment(filename: string, contentType: string, body: string | Buffer | Uint8Array): APIAttachment;
  /** A summary of recent activity (what the timeout errors print). */
  describeActivity(): string;
  close(): Promise<void>;
}

// ───────────────────────────── helpers ─────────────────────────────

const DISCORD_EPOCH = 1420070400000n;
let snowflakeIncrement = 0n;
function snowflake(): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | snowflakeIncrement).toString();
}

/** The shard (of `count`) that Discord routes a guild's events to: `(guild_id >> 22) % count`. */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/**
 * A snowflake (e.g. a guild id) owned by shard `shardId` of `count`; `n` picks different ids for the same
 * shard. Deterministic.
 */
export function snowflakeForShard(shardId: number, count: number, n = 0): string {
  // A timestamp part in 2023 whose remainder modulo count is shardId.
  const base = 1_700_000_000_000n - DISCORD_EPOCH;
  const ts = base - (base % BigInt(count)) + BigInt(shardId) + BigInt(n) * BigInt(count);
  return ((ts << 22n) | 1n).toString();
}

const DEFAULT_GUILD_ID = '100000000000000001';
const DEFAULT_CHANNEL_ID = '100000000000000002';
const DEFAULT_BOT_ID = '100000000000000010';
const DEFAULT_USER_ID = '100000000000000020';

const DEFAULT_EVERYONE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AddReactions |
  PermissionFlagsBits.UseExternalEmojis |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.ChangeNickname;

const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);

const INTENT_GUILDS = 1 << 0;
const INTENT_GUILD_MESSAGES = 1 << 9;
const INTENT_DIRECT_MESSAGES = 1 << 12;
const INTENT_MESSAGE_CONTENT = 1 << 15;

const TEXT_CHANNEL_TYPES = new Set([0, 1, 2, 3, 5, 10, 11, 12, 13]);
const THREAD_TYPES = new Set([10, 11, 12]);

interface OverwriteRecord {
  id: string;
  type: number;
  allow: string;
  deny: string;
}

function overwriteRecord(o: FakeOverwriteInput): OverwriteRecord {
  return { id: o.id, type: o.type, allow: toBig(o.allow, 0n).toString(), deny: toBig(o.deny, 0n).toString() };
}

function toBig(p: bigint | string | undefined, fallback: bigint): bigint {
  if (p === undefined) return fallback;
  return typeof p === 'bigint' ? p : BigInt(p);
}

function makeUser(u: FakeUserInput): APIUser {
  return {
    id: u.id,
    username: u.username ?? `user${u.id.slice(-4)}`,
    discriminator: '0',
    global_name: u.globalName ?? u.username ?? null,
    avatar: null,
    bot: u.bot ?? false,
    system: false,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

function editedFlags(current: number, requested: unknown): number {
  const base = typeof requested === 'number' ? requested : current;
  return (
    ((base & ~MESSAGE_FLAG_EPHEMERAL & ~MESSAGE_FLAG_LOADING) | (current & MESSAGE_FLAG_EPHEMERAL)) >>> 0
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return String(value);
  }
}

/** A rule applied to the next `times` matching requests, counting how often it was. */
interface Counted {
  method?: string;
  path: string | RegExp;
  times?: number;
  left: number;
  hits: number;
}

function counted<R extends { method?: string; path: string | RegExp; times?: number }>(
  rules: (R & { left: number; hits: number })[],
  rule: R,
): InjectedFailure {
  const entry = { ...rule, left: rule.times ?? 1, hits: 0 };
  rules.push(entry);
  return {
    get hits() {
      return entry.hits;
    },
    cancel: () => {
      entry.left = 0;
    },
  };
}

/** The first rule still in force for this request, used up by one. */
function takeMatching<R extends Counted>(rules: R[], method: string, path: string): R | undefined {
  const r = rules.find(
    (x) =>
      x.left > 0 &&
      (!x.method || x.method.toUpperCase() === method) &&
      (typeof x.path === 'string' ? path.includes(x.path) : x.path.test(path)),
  );
  if (r) {
    r.left--;
    r.hits++;
  }
  return r;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: { contentType: string; data: Buffer };
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const noContent = (): Reply => ({ status: 204 });
const err = (status: number, code: number, message: string): Reply => ({ status, body: { code, message } });
const unknownChannel = (): Reply => err(404, 10003, 'Unknown Channel');
const unknownMessage = (): Reply => err(404, 10008, 'Unknown Message');
const unknownWebhook = (): Reply => err(404, 10015, 'Unknown Webhook');
const unknownInteraction = (): Reply => err(404, 10062, 'Unknown interaction');
const missingAccess = (): Reply => err(403, 50001, 'Missing Access');
const missingPermissions = (): Reply => err(403, 50013, 'Missing Permissions');
const emptyMessage = (): Reply => err(400, 50006, 'Cannot send an empty message');
const invalid = (v: Validator): Reply => ({ status: 400, body: v.toBody() });

interface GuildState {
  id: string;
  name: string;
  ownerId: string;
  roles: APIRole[];
  members: Map<string, APIGuildMember>;
  everyonePermissions: bigint;
  botRoleId: string;
  botIsMember: boolean;
  /** In an outage (see `FakeGuild.unavailable`), else null. */
  unavailable: 'outage' | 'silent' | null;
  joinedAt: string;
}

type ChannelRecord = Record<string, unknown> & { id: string; type: number; guild_id?: string; name?: string };

interface ChannelState {
  data: ChannelRecord;
  guildId: string | null;
  /** False for a private channel between users the bot is not in (context 2 interactions). */
  botAccess?: boolean;
}

interface StoredMessage {
  message: FakeMessage;
  ephemeral: boolean;
  deleted: boolean;
}

interface InteractionState {
  id: string;
  token: string;
  kind: InteractionKind;
  payload: APIInteraction;
  channelId: string;
  guildId: string | null;
  user: APIUser;
  dispatchedAt: number;
  ack: number | null;
  callbacks: InteractionCallbackRecord[];
  originalId: string | null;
  sourceMessageId: string | null;
  followUpIds: string[];
  commandName?: string;
}

interface GatewaySession {
  ws: WebSocket;
  seq: number;
  identified: boolean;
  sessionId: string | null;
  intents: number;
  /** `[id, count]` from IDENTIFY; `[0, 1]` when the client does not shard. */
  shard: [number, number];
}

interface Ctx {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: RecordedFile[];
  record: RecordedRequest;
}

interface Route {
  method: string;
  segments: string[];
  auth: boolean;
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

// ───────────────────────────── implementation ─────────────────────────────

class FakeDiscordServer implements FakeDiscord {
  apiBase = '';
  httpBase = '';
  gatewayUrl = '';
  port = 0;
  readonly botUser: APIUser;
  readonly applicationId: string;
  readonly defaultGuildId: string;
  readonly defaultChannelId: string;
  readonly defaultUser: APIUser;

  readonly requests: RecordedRequest[] = [];
  readonly sentMessages: SentMessage[] = [];
  readonly gatewayEvents: GatewayEventRecord[] = [];
  readonly identifies: IdentifyRecord[] = [];
  readonly internalErrors: Error[] = [];
  readonly threads: ChannelRecord[] = [];
  heartbeats = 0;
  heartbeatAcks = true;
  resumes = 0;
  /** Sessions Discord would no longer resume (invalidated, timed out). */
  private readonly invalidSessionIds = new Set<string>();
  private readonly failures: (RequestFailure & { left: number; hits: number })[] = [];
  private readonly reshapes: (ResponseReshape & { left: number; hits: number })[] = [];
  readonly registeredCommands: {
    global: APIApplicationCommand[];
    guild: Record<string, APIApplicationCommand[]>;
  } = { global: [], guild: {} };

  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly events = new EventEmitter();
  private readonly sessions = new Set<GatewaySession>();
  private readonly users = new Map<string, APIUser>();
  private readonly guilds = new Map<string, GuildState>();
  private readonly channels = new Map<string, ChannelState>();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly interactions = new Map<string, InteractionState>();
  private readonly interactionsByToken = new Map<string, InteractionState>();
  private readonly attachments = new Map<string, { contentType: string; data: Buffer }>();
  private readonly routes: Route[] = [];
  private readonly pendingRejects = new Set<(e: Error) => void>();
  private readonly now: () => number;
  private readonly interactionWindowMs: number;
  private readonly tokenTtlMs: number;
  private readonly defaultTimeoutMs: number;
  private closed = false;
  private seq = 0;
  /** Shard and intents of every session id handed out, so a RESUME keeps them. */
  private readonly shardBySessionId = new Map<string, [number, number]>();
  private readonly intentsBySessionId = new Map<string, number>();

  constructor(private readonly opts: FakeDiscordOptions) {
    this.now = opts.now ?? Date.now;
    this.interactionWindowMs = opts.interactionWindowMs ?? 3000;
    this.tokenTtlMs = opts.interactionTokenTtlMs ?? 15 * 60_000;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 2000;
    this.events.setMaxListeners(0);

    const botId = opts.botUserId ?? DEFAULT_BOT_ID;
    this.botUser = {
      ...makeUser({ id: botId, username: opts.botUsername ?? 'FakeBot', bot: true }),
      verified: true,
    };
    this.applicationId = opts.applicationId ?? botId;
    this.users.set(botId, this.botUser);
    this.defaultUser = this.addUser(opts.defaultUser ?? { id: DEFAULT_USER_ID, username: 'tester' });

    const guilds = opts.guilds ?? [
      {
        id: DEFAULT_GUILD_ID,
        name: 'Fake Guild',
        channels: [{ id: DEFAULT_CHANNEL_ID, name: 'general' }],
        members: [{ ...opts.defaultUser, id: this.defaultUser.id, username: this.defaultUser.username }],
      },
    ];
    for (const g of guilds) this.registerGuild(g);
    const firstGuild = guilds[0];
    this.defaultGuildId = firstGuild?.id ?? '';
    this.defaultChannelId = firstGuild?.channels?.find((c) => (c.type ?? 0) === 0)?.id ?? '';

    this.server = createServer((req, res) => {
      void this.onHttp(req, res);
    });
    this.wss = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.wss.on('connection', (ws) => this.onGatewayConnection(ws));
    this.registerRoutes();
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.port = port;
    this.httpBase = `http://127.0.0.1:${port}`;
    this.apiBase = `${this.httpBase}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
  }

  // ── world setup ──

  private addUser(u: FakeUserInput): APIUser {
    const existing = this.users.get(u.id);
    if (existing && u.username === undefined) return existing;
    const user = makeUser(u);
    this.users.set(u.id, user);
    return user;
  }

  private memberFor(user: APIUser, roles: string[], nick?: string): APIGuildMember {
    return {
      user,
      nick: nick ?? null,
      avatar: null,
      banner: null,
      roles,
      joined_at: new Date(0).toISOString(),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  private registerGuild(g: FakeGuild): GuildState {
    const everyone = toBig(g.everyonePermissions, DEFAULT_EVERYONE_PERMISSIONS);
    const role = (
      id: string,
      name: string,
      permissions: bigint,
      position: number,
      botId?: string,
    ): APIRole => ({
      id,
      name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: permissions.toString(),
      managed: botId !== undefined,
      mentionable: false,
      flags: 0 as RoleFlags,
      ...(botId ? { tags: { bot_id: botId } } : {}),
    });
    const roles: APIRole[] = [];
    if (!g.roles?.some((r) => r.id === g.id)) roles.push(role(g.id, '@everyone', everyone, 0));
    for (const r of g.roles ?? []) {
      roles.push(role(r.id, r.name, toBig(r.permissions, r.id === g.id ? everyone : 0n), r.position ?? 1));
    }
    const botIsMember = g.botIsMember !== false;
    const botRoleId = (BigInt(g.id) + 7n).toString();
    const botPerms = toBig(
      this.opts.botPermissions,
      everyone | PermissionFlagsBits.ManageThreads | PermissionFlagsBits.CreatePrivateThreads,
    );
    if (botIsMember)
      roles.push(role(botRoleId, this.botUser.username, botPerms, roles.length, this.botUser.id));

    const members = new Map<string, APIGuildMember>();
    if (botIsMember) members.set(this.botUser.id, this.memberFor(this.botUser, [botRoleId]));
    for (const m of g.members ?? []) {
      const user = this.addUser(m);
      members.set(user.id, this.memberFor(user, m.roles ?? [], m.nick));
    }
    const state: GuildState = {
      id: g.id,
      name: g.name ?? `Guild ${g.id}`,
      ownerId: g.ownerId ?? g.members?.[0]?.id ?? this.defaultUser.id,
      roles,
      members,
      everyonePermissions: everyone,
      botRoleId,
      botIsMember,
      unavailable: g.unavailable ?? null,
      joinedAt: new Date(0).toISOString(),
    };
    this.guilds.set(g.id, state);
    (g.channels ?? []).forEach((c, position) => {
      this.registerChannel(state, c, position);
    });
    return state;
  }

  private registerChannel(guild: GuildState, c: FakeChannelInput, position: number): ChannelState {
    const type = c.type ?? 0;
    const overwrites = (c.permissionOverwrites ?? []).map(overwriteRecord);
    let data: ChannelRecord;
    if (THREAD_TYPES.has(type)) {
      const parent = c.parentId ? this.channels.get(c.parentId) : undefined;
      if (!parent) throw new Error(`fake-discord: thread ${c.id} needs the id of a known parent channel`);
      data = this.threadRecord({
        id: c.id,
        type,
        guildId: guild.id,
        parentId: parent.data.id,
        name: c.name,
        ownerId: this.defaultUser.id,
      });
    } else {
      data = {
        id: c.id,
        type,
        guild_id: guild.id,
        name: c.name,
        position,
        permission_overwrites: overwrites,
        topic: c.topic ?? null,
        nsfw: false,
        last_message_id: null,
        rate_limit_per_user: 0,
        parent_id: c.parentId ?? null,
        default_auto_archive_duration: 1440,
        flags: 0,
        ...(type === 15 || type === 16
          ? {
              available_tags: [],
              default_reaction_emoji: null,
              default_sort_order: null,
              default_forum_layout: 0,
            }
          : {}),
      };
    }
    const state: ChannelState = { guildId: guild.id, data };
    this.channels.set(c.id, state);
    return state;
  }

  /** A thread channel as Discord returns it (THREAD_CREATE, GUILD_CREATE `threads`, REST). */
  private threadRecord(t: {
    id: string;
    type: number;
    guildId: string;
    parentId: string;
    name: string;
    ownerId: string;
    autoArchive?: number;
    rateLimit?: number;
    invitable?: boolean;
  }): ChannelRecord {
    const nowIso = new Date(this.now()).toISOString();
    return {
      id: t.id,
      type: t.type,
      guild_id: t.guildId,
      parent_id: t.parentId,
      owner_id: t.ownerId,
      name: t.name,
      last_message_id: null,
      rate_limit_per_user: t.rateLimit ?? 0,
      flags: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: t.autoArchive ?? 1440,
        archive_timestamp: nowIso,
        locked: false,
        create_timestamp: nowIso,
        ...(t.type === 12 ? { invitable: t.invitable !== false } : {}),
      },
      ...(t.ownerId === this.botUser.id
        ? { member: { id: t.id, user_id: this.botUser.id, join_timestamp: nowIso, flags: 0 } }
        : {}),
    };
  }

  /** Guild-wide permissions of a member with these roles (Administrator: all). */
  private permissionsOf(guild: GuildState, roleIds: string[]): bigint {
    let p = guild.everyonePermissions;
    for (const r of guild.roles) if (roleIds.includes(r.id)) p |= BigInt(r.permissions);
    return (p & PermissionFlagsBits.Administrator) !== 0n ? ALL_PERMISSIONS : p;
  }

  /**
   * A member's permissions in a channel, as Discord computes them: guild permissions, then the channel's
   * @everyone overwrite, the member's roles' overwrites together, the member's own overwrite. A thread uses
   * its parent's. Without View Channel nothing is left; without Send Messages (outside threads) neither are
   * Embed Links, Attach Files, Mention Everyone or TTS.
   */
  private channelPermissionsOf(
    guild: GuildState,
    channel: ChannelState,
    userId: string,
    roleIds: string[],
  ): bigint {
    const base = this.permissionsOf(guild, roleIds);
    if (base === ALL_PERMISSIONS) return base;
    const isThread = THREAD_TYPES.has(channel.data.type);
    const source = isThread ? this.channels.get(String(channel.data.parent_id)) : channel;
    const overwrites = (source?.data.permission_overwrites ?? []) as OverwriteRecord[];
    let p = base;
    const everyone = overwrites.find((o) => o.id === guild.id && o.type === 0);
    if (everyone) p = (p & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
    let allow = 0n;
    let deny = 0n;
    for (const o of overwrites)
      if (o.type === 0 && o.id !== guild.id && roleIds.includes(o.id)) {
        allow |= BigInt(o.allow);
        deny |= BigInt(o.deny);
      }
    p = (p & ~deny) | allow;
    const own = overwrites.find((o) => o.type === 1 && o.id === userId);
    if (own) p = (p & ~BigInt(own.deny)) | BigInt(own.allow);
    if ((p & PermissionFlagsBits.ViewChannel) === 0n) return 0n;
    if (!isThread && (p & PermissionFlagsBits.SendMessages) === 0n)
      p &= ~(
        PermissionFlagsBits.EmbedLinks |
        PermissionFlagsBits.AttachFiles |
        PermissionFlagsBits.MentionEveryone |
        PermissionFlagsBits.SendTTSMessages
      );
    return p;
  }

  botPermissionsIn(channelId: string): bigint {
    const channel = this.channels.get(channelId);
    if (!channel) return 0n;
    if (channel.guildId === null) return channel.botAccess === false ? 0n : DEFAULT_EVERYONE_PERMISSIONS;
    const guild = this.guilds.get(channel.guildId);
    if (!guild?.botIsMember) return 0n;
    return this.channelPermissionsOf(guild, channel, this.botUser.id, [guild.botRoleId]);
  }

  botRoleId(guildId: string): string {
    const guild = this.guilds.get(guildId);
    if (!guild?.botIsMember) throw new Error(`fake-discord: the bot is not in guild ${guildId}`);
    return guild.botRoleId;
  }

  /** Why the bot may not do something in a channel (403 like Discord), or null. */
  private denied(channel: ChannelState, need: bigint[]): Reply | null {
    if (channel.botAccess === false) return missingAccess();
    if (channel.guildId === null) return null;
    const perms = this.botPermissionsIn(channel.data.id);
    if ((perms & PermissionFlagsBits.ViewChannel) === 0n) return missingAccess();
    for (const p of need) if ((perms & p) !== p) return missingPermissions();
    return null;
  }

  addGuild(g: FakeGuild): void {
    if (this.guilds.has(g.id)) throw new Error(`fake-discord: guild ${g.id} exists already`);
    const state = this.registerGuild(g);
    state.joinedAt = new Date(this.now()).toISOString();
    if (!state.botIsMember) return;
    if (state.unavailable === 'outage') this.dispatch('GUILD_DELETE', { id: g.id, unavailable: true });
    else if (state.unavailable === null) this.dispatch('GUILD_CREATE', this.guildCreatePayload(state));
  }

  setGuildAvailable(guildId: string): void {
    const g = this.guilds.get(guildId);
    if (!g) throw new Error(`fake-discord: unknown guild ${guildId}`);
    g.unavailable = null;
    this.dispatch('GUILD_CREATE', this.guildCreatePayload(g));
  }

  addChannel(
    guildId: string,
    c: FakeChannelInput,
    opts: { announce?: boolean } = {},
  ): Record<string, unknown> {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`fake-discord: unknown guild ${guildId}`);
    if (this.channels.has(c.id)) throw new Error(`fake-discord: channel ${c.id} exists already`);
    const position = [...this.channels.values()].filter((x) => x.guildId === guildId).length;
    const state = this.registerChannel(guild, c, position);
    if (opts.announce !== false && guild.botIsMember) {
      const thread = THREAD_TYPES.has(state.data.type);
      this.dispatch(
        thread ? 'THREAD_CREATE' : 'CHANNEL_CREATE',
        thread ? { ...state.data, newly_created: true } : state.data,
        (s) => (s.intents & INTENT_GUILDS) !== 0,
      );
    }
    return state.data;
  }

  setPermissionOverwrites(channelId: string, overwrites: FakeOverwriteInput[]): void {
    const c = this.channels.get(channelId);
    if (!c?.guildId) throw new Error(`fake-discord: unknown guild channel ${channelId}`);
    c.data.permission_overwrites = overwrites.map(overwriteRecord);
    this.dispatch('CHANNEL_UPDATE', c.data, (s) => (s.intents & INTENT_GUILDS) !== 0);
  }

  private guildCreatePayload(g: GuildState): Record<string, unknown> {
    const channels: Record<string, unknown>[] = [];
    const threads: Record<string, unknown>[] = [];
    for (const c of this.channels.values()) {
      if (c.guildId !== g.id) continue;
      if (c.data.type === 10 || c.data.type === 11 || c.data.type === 12) threads.push(c.data);
      else channels.push(c.data);
    }
    return {
      id: g.id,
      name: g.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: g.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: g.roles,
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-GB',
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      max_members: 500000,
      max_video_channel_users: 25,
      joined_at: g.joinedAt,
      large: false,
      unavailable: false,
      lazy: true,
      member_count: g.members.size,
      members: [...g.members.values()],
      channels,
      threads,
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  // ── waiting ──

  private changed(): void {
    this.events.emit('change');
  }

  private waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs?: number): Promise<T> {
    const ms = timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        this.events.off('change', check);
        this.pendingRejects.delete(onClose);
      };
      const onClose = (e: Error): void => {
        cleanup();
        reject(e);
      };
      function check(): void {
        let result: T | undefined;
        try {
          result = probe();
        } catch (e) {
          cleanup();
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (result !== undefined) {
          cleanup();
          resolve(result);
        }
      }
      this.events.on('change', check);
      this.pendingRejects.add(onClose);
      timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`fake-discord: timed out after ${ms}ms waiting for ${what}.\n${this.describeActivity()}`),
        );
      }, ms);
      check();
    });
  }

  describeActivity(): string {
    const lines: string[] = [];
    const recent = this.requests.slice(-25);
    lines.push(
      `REST requests received: ${this.requests.length}${this.requests.length > 25 ? ' (last 25)' : ''}`,
    );
    for (const r of recent) {
      const shown = r.body === undefined ? '' : ` ${truncate(json(r.body), 160)}`;
      let outcome = String(r.status);
      if (r.status >= 400 && isRecord(r.response)) {
        outcome += ` ${String(r.response.message)}`;
        if (isRecord(r.response.errors)) {
          const v = Object.assign(new Validator(), { errors: r.response.errors });
          outcome += ` [${v.describe().join('; ')}]`;
        }
      }
      lines.push(`  #${r.seq} ${r.method} ${r.path}${r.matched ? '' : ' (NO ROUTE)'} → ${outcome}${shown}`);
    }
    const identified = [...this.sessions].filter((s) => s.identified).length;
    lines.push(
      `Gateway: ${this.sessions.size} connection(s), ${identified} identified, ${this.heartbeats} heartbeat(s)`,
    );
    const evs = this.gatewayEvents.slice(-15).map((e) => e.t);
    lines.push(`  dispatched (last ${evs.length}): ${evs.join(', ') || '(none)'}`);
    if (this.internalErrors.length > 0) {
      lines.push(`Internal fake errors: ${this.internalErrors.map((e) => e.message).join('; ')}`);
    }
    return lines.join('\n');
  }

  get unmatchedRequests(): RecordedRequest[] {
    return this.requests.filter((r) => !r.matched);
  }

  get failedRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.status >= 400);
  }

  waitForReady(opts?: WaitOptions): Promise<IdentifyRecord> {
    return this.waitUntil(
      'a client to IDENTIFY on the gateway',
      () => this.identifies.at(-1),
      opts?.timeoutMs,
    );
  }

  waitForShards(count: number, opts?: WaitOptions): Promise<IdentifyRecord[]> {
    return this.waitUntil(
      `shards 0..${count - 1} of ${count} to IDENTIFY on the gateway`,
      () => {
        const live = this.shardSessions.filter((s) => s.shard[1] === count).map((s) => s.shard[0]);
        if (![...Array(count).keys()].every((id) => live.includes(id))) return undefined;
        return this.identifies.filter((i) => Array.isArray(i.shard) && i.shard[1] === count);
      },
      opts?.timeoutMs,
    );
  }

  shardOf(guildId: string, count: number): number {
    return shardOfGuild(guildId, count);
  }

  get shardSessions(): { shard: [number, number]; sessionId: string | null }[] {
    return [...this.sessions]
      .filter((s) => s.identified)
      .map((s) => ({ shard: [...s.shard] as [number, number], sessionId: s.sessionId }));
  }

  /** Whether a session receives events of this guild (null: DMs and guild-less events, shard 0's). */
  private owns(s: GatewaySession, guildId: string | null): boolean {
    const [id, count] = s.shard;
    if (count === 1) return true;
    return guildId === null ? id === 0 : shardOfGuild(guildId, count) === id;
  }

  waitForInteractionResponse(
    handle: InteractionHandle,
    opts?: WaitOptions,
  ): Promise<InteractionCallbackRecord> {
    return handle.waitForResponse(opts);
  }

  waitForChannelMessage(
    channelId: string,
    predicate?: (m: SentMessage) => boolean,
    opts?: WaitOptions,
  ): Promise<SentMessage> {
    return this.waitUntil(
      `a message sent by the bot to channel ${channelId}${predicate ? ' matching the predicate' : ''}`,
      () =>
        this.sentMessages.find(
          (m) => m.via === 'channel' && m.channelId === channelId && (!predicate || predicate(m)),
        ),
      opts?.timeoutMs,
    );
  }

  waitForSentMessage(predicate: (m: SentMessage) => boolean, opts?: WaitOptions): Promise<SentMessage> {
    return this.waitUntil(
      'a sent message matching the predicate',
      () => this.sentMessages.find(predicate),
      opts?.timeoutMs,
    );
  }

  waitForRequest(predicate: (r: RecordedRequest) => boolean, opts?: WaitOptions): Promise<RecordedRequest> {
    return this.waitUntil(
      'a request matching the predicate',
      () => this.requests.find(predicate),
      opts?.timeoutMs,
    );
  }

  channelMessages(channelId: string): FakeMessage[] {
    return [...this.messages.values()]
      .filter((m) => !m.deleted && m.message.channel_id === channelId)
      .map((m) => m.message);
  }

  getChannel(channelId: string): Record<string, unknown> | undefined {
    return this.channels.get(channelId)?.data;
  }

  // ── gateway ──

  private send(s: GatewaySession, payload: Record<string, unknown>): void {
    if (s.ws.readyState === s.ws.OPEN) s.ws.send(JSON.stringify(payload));
  }

  private sendDispatch(s: GatewaySession, t: string, d: unknown): void {
    s.seq++;
    this.send(s, { op: 0, t, s: s.seq, d });
    this.gatewayEvents.push({ t, seq: s.seq, d, at: this.now(), shard: s.shard[0] });
  }

  /** Sends to every identified session owning the event's guild (`d.guild_id`; none: shard 0). */
  dispatch(t: string, d: unknown, filter?: (s: GatewaySession) => boolean): number {
    const guildId = !isRecord(d)
      ? null
      : typeof d.guild_id === 'string'
        ? d.guild_id
        : /^GUILD_(?:CREATE|UPDATE|DELETE)$/.test(t) && typeof d.id === 'string'
          ? d.id
          : null;
    let n = 0;
    for (const s of this.sessions) {
      if (!s.identified || !this.owns(s, guildId) || (filter && !filter(s))) continue;
      this.sendDispatch(s, t, d);
      n++;
    }
    this.changed();
    return n;
  }

  private requireSession(): void {
    if (![...this.sessions].some((s) => s.identified)) {
      throw new Error(
        'fake-discord: no identified gateway session. Log the client in and wait for Events.ClientReady first.\n' +
          this.describeActivity(),
      );
    }
  }

  private onGatewayConnection(ws: WebSocket): void {
    const s: GatewaySession = { ws, seq: 0, identified: false, sessionId: null, intents: 0, shard: [0, 1] };
    this.sessions.add(s);
    ws.on('close', () => {
      this.sessions.delete(s);
      this.changed();
    });
    ws.on('error', () => {});
    ws.on('message', (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'Decode error');
        return;
      }
      if (!isRecord(msg)) return;
      try {
        this.onGatewayMessage(s, msg);
      } catch (e) {
        this.internalErrors.push(e instanceof Error ? e : new Error(String(e)));
      }
    });
    this.send(s, {
      op: 10,
      d: { heartbeat_interval: this.opts.heartbeatIntervalMs ?? 41250 },
      s: null,
      t: null,
    });
    this.changed();
  }

  private onGatewayMessage(s: GatewaySession, msg: Record<string, unknown>): void {
    const d = isRecord(msg.d) ? msg.d : {};
    switch (msg.op) {
      case 1:
        this.heartbeats++;
        if (this.heartbeatAcks) this.send(s, { op: 11, d: null, s: null, t: null });
        break;
      case 2: {
        const token = String(d.token ?? '');
        if (this.opts.token !== undefined && token.replace(/^Bot\s+/i, '') !== this.opts.token) {
          s.ws.close(4004, 'Authentication failed.');
          return;
        }
        if (d.shard !== undefined) {
          const sh = d.shard;
          const valid =
            Array.isArray(sh) &&
            sh.length === 2 &&
            sh.every((x) => Number.isInteger(x)) &&
            sh[1] >= 1 &&
            sh[0] >= 0 &&
            sh[0] < sh[1];
          if (!valid) {
            s.ws.close(4010, 'Invalid shard');
            return;
          }
          s.shard = [sh[0], sh[1]];
        }
        s.intents = typeof d.intents === 'number' ? d.intents : 0;
        s.sessionId = randomBytes(16).toString('hex');
        this.shardBySessionId.set(s.sessionId, s.shard);
        this.intentsBySessionId.set(s.sessionId, s.intents);
        s.identified = true;
        this.identifies.push({
          token,
          intents: s.intents,
          properties: d.properties,
          shard: d.shard,
          at: this.now(),
        });
        this.sendDispatch(s, 'READY', {
          v: 10,
          user: this.botUser,
          user_settings: {},
          private_channels: [],
          relationships: [],
          presences: [],
          guild_join_requests: [],
          geo_ordered_rtc_regions: [],
          guilds: [...this.guilds.values()]
            .filter((g) => g.botIsMember && this.owns(s, g.id))
            .map((g) => ({ id: g.id, unavailable: true })),
          session_id: s.sessionId,
          session_type: 'normal',
          resume_gateway_url: this.gatewayUrl,
          shard: s.shard,
          application: { id: this.applicationId, flags: 0 },
          auth: {},
        });
        for (const g of this.guilds.values()) {
          if (!g.botIsMember || !this.owns(s, g.id)) continue;
          if (g.unavailable === 'outage')
            this.sendDispatch(s, 'GUILD_DELETE', { id: g.id, unavailable: true });
          else if (g.unavailable === null) this.sendDispatch(s, 'GUILD_CREATE', this.guildCreatePayload(g));
        }
        this.changed();
        break;
      }
      case 6: {
        const known = [...this.sessions].some((o) => o.sessionId !== null && o.sessionId === d.session_id);
        if (
          typeof d.session_id === 'string' &&
          !this.invalidSessionIds.has(d.session_id) &&
          (known || d.session_id.length === 32)
        ) {
          s.sessionId = d.session_id;
          s.shard = this.shardBySessionId.get(d.session_id) ?? s.shard;
          s.intents = this.intentsBySessionId.get(d.session_id) ?? s.intents;
          s.identified = true;
          s.seq = typeof d.seq === 'number' ? d.seq : s.seq;
          this.resumes++;
          this.sendDispatch(s, 'RESUMED', {});
          this.changed();
        } else {
          this.send(s, { op: 9, d: false, s: null, t: null });
        }
        break;
      }
      case 8: {
        const g = this.guilds.get(String(d.guild_id));
        if (g) {
          this.sendDispatch(s, 'GUILD_MEMBERS_CHUNK', {
            guild_id: g.id,
            members: [...g.members.values()],
            chunk_index: 0,
            chunk_count: 1,
            not_found: [],
            presences: [],
            nonce: d.nonce,
          });
        }
        break;
      }
      default:
        // 3 presence update, 4 voice state etc.: accepted silently.
        break;
    }
  }

  // ── gateway control ──

  private identifiedSessions(): GatewaySession[] {
    return [...this.sessions].filter((x) => x.identified);
  }

  requestReconnect(): number {
    const list = this.identifiedSessions();
    for (const x of list) this.send(x, { op: 7, d: null, s: null, t: null });
    return list.length;
  }

  invalidateSession(resumable: boolean): number {
    const list = this.identifiedSessions();
    for (const x of list) {
      x.identified = false;
      if (!resumable && x.sessionId) this.invalidSessionIds.add(x.sessionId);
      this.send(x, { op: 9, d: resumable, s: null, t: null });
    }
    this.changed();
    return list.length;
  }

  closeGateway(code: number, reason = '', opts: { invalidate?: boolean } = {}): number {
    const list = [...this.sessions];
    // 4009 "Session timed out": Discord will not resume it.
    const invalidate = opts.invalidate ?? code === 4009;
    for (const x of list) {
      if (invalidate && x.sessionId) this.invalidSessionIds.add(x.sessionId);
      x.identified = false;
      x.ws.close(code, reason);
    }
    this.changed();
    return list.length;
  }

  // ── driving the bot ──

  private readonly dmChannels = new Map<string, string>();

  private dmChannelFor(user: APIUser, channelId?: string): ChannelState {
    const id = channelId ?? this.dmChannels.get(user.id) ?? snowflake();
    const existing = this.channels.get(id);
    if (existing) return existing;
    const dm: ChannelState = {
      guildId: null,
      data: { id, type: 1, last_message_id: null, flags: 0, recipients: [user] },
    };
    this.channels.set(id, dm);
    this.dmChannels.set(user.id, id);
    return dm;
  }

  private resolveChannel(
    channelId: string | undefined,
    guildId: string | null | undefined,
    user: APIUser,
  ): ChannelState {
    if (guildId === null) return this.dmChannelFor(user, channelId);
    if (channelId !== undefined) {
      const c = this.channels.get(channelId);
      if (c) return c;
      throw new Error(
        `fake-discord: unknown channel ${channelId} (pass guildId: null for a DM). Known: ${[
          ...this.channels.values(),
        ]
          .map((c2) => `${c2.data.id} (#${String(c2.data.name ?? 'dm')})`)
          .join(', ')}`,
      );
    }
    const gid = guildId ?? this.defaultGuildId;
    const c = [...this.channels.values()].find((x) => x.guildId === gid && x.data.type === 0);
    if (!c) throw new Error(`fake-discord: guild ${gid} has no text channel`);
    return c;
  }

  private memberPayload(guild: GuildState, user: APIUser, roles?: string[]): APIGuildMember {
    let member = guild.members.get(user.id);
    if (!member) {
      member = this.memberFor(user, roles ?? []);
      guild.members.set(user.id, member);
    }
    return roles ? { ...member, roles } : member;
  }

  private buildOptions(input: CommandInteractionInput | AutocompleteInteractionInput): {
    options: APIApplicationCommandInteractionDataOption[];
    attachments: Record<string, APIAttachment>;
  } {
    const attachments: Record<string, APIAttachment> = {};
    let options: APIApplicationCommandInteractionDataOption[];
    const focused = input.type === 'autocomplete' ? input.focused : undefined;
    if (Array.isArray(input.options)) {
      options = input.options;
    } else {
      const entries = Object.entries(input.options ?? {});
      if (focused !== undefined && !entries.some(([k]) => k === focused)) entries.push([focused, '']);
      options = entries.map(([name, value]): APIApplicationCommandInteractionDataOption => {
        const isFocused = name === focused ? { focused: true } : {};
        if (typeof value === 'string') return { name, type: 3, value, ...isFocused };
        if (typeof value === 'boolean') return { name, type: 5, value };
        if (typeof value === 'number') {
          return Number.isInteger(value)
            ? { name, type: 4, value, ...isFocused }
            : { name, type: 10, value, ...isFocused };
        }
        attachments[value.id] = value;
        return { name, type: 11, value: value.id };
      });
    }
    if (input.subcommand !== undefined) {
      const sub: APIApplicationCommandInteractionDataOption = {
        name: input.subcommand,
        type: 1,
        options: options as never,
      };
      options = [sub];
      if (input.subcommandGroup !== undefined) {
        options = [{ name: input.subcommandGroup, type: 2, options: [sub] as never }];
      }
    }
    return { options, attachments };
  }

  /** `target_id` and `resolved` of a user (2) or message (3) context menu command. */
  private contextMenuTarget(
    input: CommandInteractionInput,
    guild: GuildState | undefined,
  ): Record<string, unknown> {
    const targetId = input.targetId ?? this.defaultUser.id;
    if (input.commandType === 3) {
      const m = this.messages.get(targetId)?.message;
      if (!m) throw new Error(`fake-discord: no stored message ${targetId} for the message command`);
      return { target_id: targetId, resolved: { messages: { [targetId]: m } } };
    }
    const user = this.users.get(targetId);
    if (!user) throw new Error(`fake-discord: no user ${targetId} for the user command`);
    const member = guild?.members.get(targetId);
    return {
      target_id: targetId,
      resolved: {
        users: { [targetId]: user },
        ...(member ? { members: { [targetId]: { ...member, user: undefined, permissions: '0' } } } : {}),
      },
    };
  }

  /** A group DM between the user and someone else, which the bot is not in (context 2). */
  private privateChannelFor(user: APIUser): ChannelState {
    const friend = this.addUser({ id: (BigInt(user.id) + 1n).toString(), username: 'friend' });
    const id = snowflake();
    const state: ChannelState = {
      guildId: null,
      botAccess: false,
      data: {
        id,
        type: 3,
        name: '',
        icon: null,
        owner_id: user.id,
        recipients: [user, friend],
        last_message_id: null,
        flags: 0,
      },
    };
    this.channels.set(id, state);
    return state;
  }

  private findComponentMessage(channelId: string, customId: string): FakeMessage | undefined {
    const hasId = (components: unknown): boolean =>
      Array.isArray(components) &&
      components.some(
        (c) =>
          isRecord(c) &&
          (c.custom_id === customId ||
            hasId(c.components) ||
            (isRecord(c.accessory) && c.accessory.custom_id === customId)),
      );
    const list = [...this.messages.values()].filter(
      (m) => !m.deleted && m.message.channel_id === channelId && hasId(m.message.components),
    );
    return list.at(-1)?.message;
  }

  async sendInteraction(input: InteractionInput): Promise<InteractionHandle> {
    this.requireSession();
    const user = input.user ? this.addUser(input.user) : this.defaultUser;
    const channel =
      input.context === 2 && input.channelId === undefined
        ? this.privateChannelFor(user)
        : this.resolveChannel(input.channelId, input.guildId, user);
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    const id = snowflake();
    const token = `fake-${randomBytes(24).toString('base64url')}`;
    const base: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      token,
      version: 1,
      locale: input.locale ?? 'en-GB',
      entitlements: [],
      attachment_size_limit: 10 * 1024 * 1024,
      channel: { ...channel.data, ...(guild ? { guild_id: guild.id } : {}) },
      channel_id: channel.data.id,
    };
    if (guild) {
      const member = this.memberPayload(guild, user, input.roles);
      const perms = toBig(
        input.permissions,
        this.channelPermissionsOf(guild, channel, user.id, member.roles),
      );
      // A user-installed app in a guild without its bot gets @everyone's permissions there.
      const appPerms = guild.botIsMember
        ? this.botPermissionsIn(channel.data.id)
        : this.channelPermissionsOf(guild, channel, '0', []);
      Object.assign(base, {
        guild_id: guild.id,
        guild: { id: guild.id, locale: 'en-GB', features: [] },
        guild_locale: 'en-GB',
        member: { ...member, permissions: perms.toString() },
        app_permissions: toBig(input.appPermissions, appPerms).toString(),
        authorizing_integration_owners:
          input.authorizingIntegrationOwners ?? (guild.botIsMember ? { '0': guild.id } : { '1': user.id }),
        context: input.context ?? 0,
      });
    } else {
      const privateChannel = channel.botAccess === false;
      Object.assign(base, {
        user,
        app_permissions: toBig(input.appPermissions, DEFAULT_EVERYONE_PERMISSIONS).toString(),
        authorizing_integration_owners:
          input.authorizingIntegrationOwners ?? (privateChannel ? { '1': user.id } : { '0': '0' }),
        context: input.context ?? (privateChannel ? 2 : 1),
        channel: privateChannel ? { ...channel.data } : { ...channel.data, recipients: [user] },
      });
    }

    let commandName: string | undefined;
    let sourceMessageId: string | null = null;
    switch (input.type) {
      case 'command':
      case 'autocomplete': {
        commandName = input.name;
        const { options, attachments } = this.buildOptions(input);
        const registered = [
          ...this.registeredCommands.global,
          ...(this.registeredCommands.guild[channel.guildId ?? ''] ?? []),
        ];
        base.type = input.type === 'command' ? 2 : 4;
        const commandType = input.type === 'command' ? (input.commandType ?? 1) : 1;
        base.data = {
          id: input.commandId ?? registered.find((c) => c.name === input.name)?.id ?? snowflake(),
          name: input.name,
          type: commandType,
          ...(commandType === 1
            ? { options }
            : this.contextMenuTarget(input as CommandInteractionInput, guild)),
          ...(Object.keys(attachments).length > 0 ? { resolved: { attachments } } : {}),
          ...(guild && this.registeredCommands.guild[guild.id]?.some((c) => c.name === input.name)
            ? { guild_id: guild.id }
            : {}),
        };
        break;
      }
      case 'button':
      case 'select': {
        let message: FakeMessage | undefined;
        if (typeof input.message === 'string') {
          message = this.messages.get(input.message)?.message;
          if (!message)
            throw new Error(
              `fake-discord: no stored message ${input.message} for the ${input.type} interaction`,
            );
        } else {
          message = input.message ?? this.findComponentMessage(channel.data.id, input.customId);
        }
        if (!message) {
          message = this.createMessage({
            channel,
            author: this.botUser,
            body: {
              content: '(synthesized by fake-discord)',
              components: [
                {
                  type: 1,
                  components: [
                    input.type === 'button'
                      ? { type: 2, style: 1, custom_id: input.customId, label: 'Button' }
                      : {
                          type: 3,
                          custom_id: input.customId,
                          options: input.values.map((v) => ({ label: v, value: v })),
                        },
                  ],
                },
              ] as APIMessageTopLevelComponent[],
            },
            files: [],
          }).message;
        }
        sourceMessageId = message.id;
        base.type = 3;
        base.message = message;
        base.data =
          input.type === 'button'
            ? { custom_id: input.customId, component_type: 2 }
            : { custom_id: input.customId, component_type: 3, values: input.values };
        break;
      }
      case 'modal':
        base.type = 5;
        base.data = {
          custom_id: input.customId,
          components: Object.entries(input.fields).map(([customId, value]) => ({
            type: 1,
            components: [{ type: 4, custom_id: customId, value }],
          })),
        };
        break;
    }

    input.mutate?.(base);
    const payload = base as unknown as APIInteraction;
    const state: InteractionState = {
      id,
      token,
      kind: input.type,
      payload,
      channelId: channel.data.id,
      guildId: channel.guildId,
      user,
      dispatchedAt: this.now(),
      ack: null,
      callbacks: [],
      originalId: null,
      sourceMessageId,
      followUpIds: [],
      ...(commandName !== undefined ? { commandName } : {}),
    };
    this.interactions.set(id, state);
    this.interactionsByToken.set(token, state);
    this.dispatch('INTERACTION_CREATE', payload);
    return this.makeHandle(state);
  }

  private makeHandle(st: InteractionState): InteractionHandle {
    const self = this;
    const label = `interaction ${st.id} (${st.kind}${st.commandName ? ` /${st.commandName}` : ''})`;
    const stored = (id: string | null): FakeMessage | undefined => {
      if (id === null) return undefined;
      const m = self.messages.get(id);
      return m && !m.deleted ? m.message : undefined;
    };
    return {
      id: st.id,
      token: st.token,
      kind: st.kind,
      payload: st.payload,
      channelId: st.channelId,
      guildId: st.guildId,
      dispatchedAt: st.dispatchedAt,
      get callbacks() {
        return st.callbacks;
      },
      get response() {
        return st.callbacks.find((c) => c.accepted);
      },
      get original() {
        return stored(st.originalId);
      },
      get followUps() {
        return st.followUpIds.map((id) => stored(id)).filter((m): m is FakeMessage => m !== undefined);
      },
      waitForResponse(opts?: WaitOptions) {
        return self.waitUntil(
          `the callback for ${label}`,
          () => {
            const accepted = st.callbacks.find((c) => c.accepted);
            if (accepted) return accepted;
            const rejected = st.callbacks.find((c) => !c.accepted);
            if (rejected) {
              throw new Error(
                `fake-discord: the callback for ${label} was REJECTED with ${rejected.status}: ${json(rejected.error)}\n` +
                  self.describeActivity(),
              );
            }
            return undefined;
          },
          opts?.timeoutMs,
        );
      },
      waitForOriginal(predicate?: (m: FakeMessage) => boolean, opts?: WaitOptions) {
        return self.waitUntil(
          `the @original message of ${label}${predicate ? ' matching the predicate' : ''} (not loading)`,
          () => {
            const m = stored(st.originalId);
            if (!m || ((m.flags ?? 0) & MESSAGE_FLAG_LOADING) !== 0) return undefined;
            return !predicate || predicate(m) ? m : undefined;
          },
          opts?.timeoutMs,
        );
      },
      waitForFollowUp(predicate?: (m: FakeMessage) => boolean, opts?: WaitOptions) {
        return self.waitUntil(
          `a follow-up of ${label}${predicate ? ' matching the predicate' : ''}`,
          () =>
            st.followUpIds
              .map((id) => stored(id))
              .find((m): m is FakeMessage => m !== undefined && (!predicate || predicate(m))),
          opts?.timeoutMs,
        );
      },
    };
  }

  async sendMessage(input: SendMessageInput): Promise<DispatchedMessage> {
    return this.deliverUserMessage(input);
  }

  private deliverUserMessage(input: SendMessageInput, id?: string): DispatchedMessage {
    this.requireSession();
    const author = input.webhookId
      ? {
          ...makeUser({ id: input.webhookId, username: input.author?.username ?? 'Webhook', bot: true }),
          discriminator: '0000',
        }
      : input.author
        ? this.addUser(input.author)
        : this.defaultUser;
    const channel = this.resolveChannel(
      input.guildId === null ? input.channelId : (input.channelId ?? this.defaultChannelId),
      input.guildId,
      author,
    );
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    let content = input.content;
    const botMention = new RegExp(`<@!?${this.botUser.id}>`);
    if (input.mentionsBot && !botMention.test(content)) content = `<@${this.botUser.id}> ${content}`;
    const body: MessageBody = {
      content,
      ...(input.embeds ? { embeds: input.embeds } : {}),
      ...(input.messageReference
        ? {
            message_reference: {
              message_id: input.messageReference.messageId,
              channel_id: input.messageReference.channelId,
            },
          }
        : {}),
      // Discord's client sends this when the user switches off the reply ping.
      ...(input.mentionRepliedUser === false
        ? { allowed_mentions: { parse: ['users', 'roles', 'everyone'], replied_user: false } }
        : {}),
    } as MessageBody;
    const forwarded = input.forwardOf ? this.messages.get(input.forwardOf)?.message : undefined;
    if (input.forwardOf && !forwarded)
      throw new Error(`fake-discord: no stored message ${input.forwardOf} to forward`);
    const { message } = this.createMessage({
      channel,
      author,
      body,
      files: [],
      attachments: input.attachments ?? [],
      ...(forwarded ? { forward: forwarded } : {}),
      ...(id ? { id } : {}),
      ...(input.type !== undefined ? { type: input.type } : {}),
      ...(input.webhookId ? { webhookId: input.webhookId } : {}),
      ...(guild && !input.webhookId ? { member: this.memberPayload(guild, author) } : {}),
    });
    const guildMsg = channel.guildId !== null;
    const mentioned = message.mentions.some((u) => u.id === this.botUser.id);
    let delivered = false;
    let contentVisible = true;
    // The bot sees no messages of a guild it is not in, nor of a private channel between users.
    const visible = channel.botAccess !== false && (guild === undefined || guild.botIsMember);
    for (const s of this.sessions) {
      if (!visible || !s.identified || !this.owns(s, channel.guildId)) continue;
      if ((s.intents & (guildMsg ? INTENT_GUILD_MESSAGES : INTENT_DIRECT_MESSAGES)) === 0) continue;
      const full = (s.intents & INTENT_MESSAGE_CONTENT) !== 0 || !guildMsg || mentioned;
      contentVisible = full;
      const shown: Record<string, unknown> = full
        ? { ...message }
        : { ...message, content: '', embeds: [], attachments: [], components: [], poll: undefined };
      if (input.omitChannelType) delete shown.channel_type;
      this.sendDispatch(s, 'MESSAGE_CREATE', shown);
      delivered = true;
    }
    this.changed();
    return { message, delivered, contentVisible };
  }

  async createForumPost(
    input: ForumPostInput,
  ): Promise<{ thread: Record<string, unknown>; message: DispatchedMessage }> {
    const forum = this.channels.get(input.forumId);
    if (!forum?.guildId || (forum.data.type !== 15 && forum.data.type !== 16))
      throw new Error(`fake-discord: ${input.forumId} is not a forum channel`);
    const author = input.author ? this.addUser(input.author) : this.defaultUser;
    const id = snowflake();
    const thread = this.threadRecord({
      id,
      type: 11,
      guildId: forum.guildId,
      parentId: forum.data.id,
      name: input.name,
      ownerId: author.id,
    });
    this.channels.set(id, { guildId: forum.guildId, data: thread });
    const guild = this.guilds.get(forum.guildId);
    if (input.announce !== false && guild?.botIsMember)
      this.dispatch(
        'THREAD_CREATE',
        { ...thread, newly_created: true },
        (s) => (s.intents & INTENT_GUILDS) !== 0,
      );
    const message = this.deliverUserMessage(
      {
        channelId: id,
        content: input.content,
        author,
        ...(input.mentionsBot !== undefined ? { mentionsBot: input.mentionsBot } : {}),
        ...(input.omitChannelType !== undefined ? { omitChannelType: input.omitChannelType } : {}),
      },
      id,
    );
    return { thread, message };
  }

  serveAttachment(input: ServeAttachmentInput): APIAttachment;
  serveAttachment(filename: string, contentType: string, body: string | Buffer | Uint8Array): APIAttachment;
  serveAttachment(
    inputOrName: ServeAttachmentInput | string,
    contentType?: string,
    body?: string | Buffer | Uint8Array,
  ): APIAttachment {
    const input: ServeAttachmentInput =
      typeof inputOrName === 'string'
        ? { filename: inputOrName, contentType: contentType ?? 'application/octet-stream', body: body ?? '' }
        : inputOrName;
    const data = typeof input.body === 'string' ? Buffer.from(input.body) : Buffer.from(input.body);
    return this.storeAttachment('0', input.filename, input.contentType, data, input.description);
  }

  private storeAttachment(
    channelId: string,
    filename: string,
    contentType: string,
    data: Buffer,
    description?: string,
  ): APIAttachment {
    const id = snowflake();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    this.attachments.set(`/attachments/${channelId}/${id}/${filename}`, { contentType, data });
    const sig = `?ex=${Math.floor(this.now() / 1000 + 86400).toString(16)}&is=${Math.floor(this.now() / 1000).toString(16)}&hm=fake`;
    return {
      id,
      filename,
      size: data.length,
      url: `${this.httpBase}${path}${sig}`,
      proxy_url: `${this.httpBase}${path}${sig}`,
      content_type: contentType,
      ...(description !== undefined ? { description } : {}),
    };
  }

  // ── messages ──

  private computeMentions(
    content: string,
    allowed: unknown,
    referenced: FakeMessage | undefined,
  ): Pick<FakeMessage, 'mentions' | 'mention_roles' | 'mention_everyone'> {
    const am = isRecord(allowed) ? allowed : undefined;
    const parse = am && Array.isArray(am.parse) ? am.parse : am ? [] : ['users', 'roles', 'everyone'];
    const userList = am && Array.isArray(am.users) ? am.users.map(String) : [];
    const roleList = am && Array.isArray(am.roles) ? am.roles.map(String) : [];
    const mentions: APIUser[] = [];
    for (const [, id] of content.matchAll(/<@!?(\d+)>/g)) {
      const user = id ? this.users.get(id) : undefined;
      if (
        user &&
        (parse.includes('users') || userList.includes(user.id)) &&
        !mentions.some((u) => u.id === user.id)
      ) {
        mentions.push(user);
      }
    }
    if (
      referenced &&
      (am === undefined || am.replied_user === true) &&
      !mentions.some((u) => u.id === referenced.author.id)
    ) {
      mentions.push(referenced.author);
    }
    const mention_roles: string[] = [];
    for (const [, id] of content.matchAll(/<@&(\d+)>/g)) {
      if (id && (parse.includes('roles') || roleList.includes(id))) mention_roles.push(id);
    }
    const mention_everyone = /@(everyone|here)/.test(content) && parse.includes('everyone');
    return { mentions, mention_roles, mention_everyone };
  }

  private filesToAttachments(
    channelId: string,
    body: Record<string, unknown>,
    files: RecordedFile[],
  ): APIAttachment[] {
    const meta = Array.isArray(body.attachments) ? body.attachments.filter(isRecord) : [];
    return files.map((f, i) => {
      const index = /\[(\d+)\]/.exec(f.field)?.[1] ?? String(i);
      const m = meta.find((a) => String(a.id) === index);
      const filename = typeof m?.filename === 'string' ? m.filename : f.filename;
      const description = typeof m?.description === 'string' ? m.description : undefined;
      return this.storeAttachment(channelId, filename, f.contentType, f.data, description);
    });
  }

  private createMessage(args: {
    channel: ChannelState;
    author: APIUser;
    body: MessageBody;
    files: RecordedFile[];
    attachments?: APIAttachment[];
    type?: number;
    webhookId?: string;
    member?: APIGuildMember;
    interaction?: InteractionState;
    ephemeral?: boolean;
    flags?: number;
    id?: string;
    forward?: FakeMessage;
  }): StoredMessage {
    const { channel, body } = args;
    const ref = body.message_reference;
    const referenced = ref?.message_id ? this.messages.get(ref.message_id)?.message : undefined;
    const content = typeof body.content === 'string' ? body.content : '';
    const attachments = [
      ...(args.attachments ?? []),
      ...this.filesToAttachments(channel.data.id, body as Record<string, unknown>, args.files),
    ];
    let type = args.type ?? 0;
    if (referenced && (ref?.type ?? 0) === 0) type = 19;
    const member = args.member ? { ...args.member, user: undefined } : undefined;
    const message: FakeMessage = {
      id: args.id ?? snowflake(),
      channel_id: channel.data.id,
      ...(channel.guildId ? { guild_id: channel.guildId } : {}),
      channel_type: channel.data.type,
      author: args.author,
      ...(member ? { member: member as Omit<APIGuildMember, 'user'> } : {}),
      content,
      timestamp: new Date(this.now()).toISOString(),
      edited_timestamp: null,
      tts: body.tts === true,
      ...this.computeMentions(content, body.allowed_mentions, referenced),
      attachments,
      embeds: (body.embeds ?? []).map((e) => ({ type: 'rich', ...e }) as APIEmbed),
      reactions: [],
      pinned: false,
      type,
      flags: (args.flags ?? body.flags ?? 0) | (args.ephemeral ? MESSAGE_FLAG_EPHEMERAL : 0),
      components: (body.components ?? []) as APIMessageTopLevelComponent[],
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
      ...(args.webhookId ? { webhook_id: args.webhookId } : {}),
      ...(args.forward
        ? {
            message_reference: {
              type: 1,
              message_id: args.forward.id,
              channel_id: args.forward.channel_id,
              ...(args.forward.guild_id ? { guild_id: args.forward.guild_id } : {}),
            },
            message_snapshots: [
              {
                message: {
                  type: args.forward.type,
                  content: args.forward.content,
                  embeds: args.forward.embeds,
                  attachments: args.forward.attachments,
                  timestamp: args.forward.timestamp,
                  edited_timestamp: args.forward.edited_timestamp,
                  flags: args.forward.flags ?? 0,
                  mentions: args.forward.mentions,
                  mention_roles: args.forward.mention_roles,
                  components: args.forward.components ?? [],
                },
              },
            ],
          }
        : {}),
      ...(referenced && ref
        ? {
            message_reference: {
              type: 0,
              message_id: referenced.id,
              channel_id: referenced.channel_id,
              ...(channel.guildId ? { guild_id: channel.guildId } : {}),
            },
            referenced_message: referenced as APIMessage,
          }
        : {}),
      ...(args.interaction
        ? {
            application_id: this.applicationId,
            interaction_metadata: {
              id: args.interaction.id,
              type: args.interaction.payload.type,
              user: args.interaction.user,
              authorizing_integration_owners: { '0': args.interaction.guildId ?? '0' },
              ...(args.interaction.commandName
                ? { name: args.interaction.commandName, command_type: 1 }
                : {}),
            } as FakeMessage['interaction_metadata'],
          }
        : {}),
    } as FakeMessage;
    const stored: StoredMessage = { message, ephemeral: args.ephemeral ?? false, deleted: false };
    this.messages.set(message.id, stored);
    channel.data.last_message_id = message.id;
    return stored;
  }

  private echo(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' | 'MESSAGE_DELETE', stored: StoredMessage): void {
    if (this.opts.echoOwnMessages === false || stored.ephemeral) return;
    const m = stored.message;
    // No events from a guild the bot is not in, or from a private channel between users.
    const channel = this.channels.get(m.channel_id);
    if (channel?.botAccess === false) return;
    if (m.guild_id && this.guilds.get(m.guild_id)?.botIsMember === false) return;
    const data = t === 'MESSAGE_DELETE' ? { id: m.id, channel_id: m.channel_id, guild_id: m.guild_id } : m;
    this.dispatch(
      t,
      data,
      (s) => (s.intents & (m.guild_id ? INTENT_GUILD_MESSAGES : INTENT_DIRECT_MESSAGES)) !== 0,
    );
  }

  /** Validates a full message body (create); returns an error reply or null. */
  private checkCreate(body: unknown, files: RecordedFile[], base: (string | number)[]): Reply | null {
    const v = new Validator();
    if (!isRecord(body)) {
      if (files.length > 0 && body === undefined) return null;
      v.add(base, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return invalid(v);
    }
    validateMessageBody(v, body, base);
    if (!v.ok) return invalid(v);
    if (isEmptyMessage({ ...body, attachments: files.length > 0 ? files : body.attachments }))
      return emptyMessage();
    return null;
  }

  private applyEdit(
    stored: StoredMessage,
    body: Record<string, unknown>,
    files: RecordedFile[],
  ): Reply | null {
    const v = new Validator();
    validateMessageBody(v, body, []);
    if (!v.ok) return invalid(v);
    const m = stored.message;
    let attachments = m.attachments;
    if (Array.isArray(body.attachments)) {
      const keep = new Set(body.attachments.filter(isRecord).map((a) => String(a.id)));
      attachments = attachments.filter((a) => keep.has(a.id));
    }
    const newAttachments = this.filesToAttachments(m.channel_id, body, files);
    const next = {
      content: typeof body.content === 'string' ? body.content : body.content === null ? '' : m.content,
      embeds: body.embeds === undefined ? m.embeds : ((body.embeds ?? []) as APIEmbed[]),
      components:
        body.components === undefined
          ? m.components
          : ((body.components ?? []) as APIMessageTopLevelComponent[]),
      attachments: [...attachments, ...newAttachments],
    };
    if (isEmptyMessage(next)) return emptyMessage();
    const wasLoading = ((m.flags ?? 0) & MESSAGE_FLAG_LOADING) !== 0;
    Object.assign(m, next, {
      embeds: next.embeds.map((e) => ({ type: 'rich', ...e })),
      ...this.computeMentions(next.content, body.allowed_mentions, m.referenced_message ?? undefined),
      // An edit can't change whether a message is ephemeral; it resolves a deferred "thinking…" message.
      flags: editedFlags(m.flags ?? 0, body.flags),
      edited_timestamp: wasLoading ? null : new Date(this.now()).toISOString(),
    });
    return null;
  }

  private recordSent(
    via: SentVia,
    stored: StoredMessage,
    body: unknown,
    files: RecordedFile[],
    record: RecordedRequest,
    interactionId?: string,
  ): void {
    this.sentMessages.push({
      via,
      channelId: stored.message.channel_id,
      messageId: stored.message.id,
      ...(interactionId ? { interactionId } : {}),
      body: (isRecord(body) ? body : {}) as MessageBody,
      files,
      message: structuredClone(stored.message),
      ephemeral: stored.ephemeral,
      request: record,
    });
  }

  // ── REST routes ──

  private route(method: string, pattern: string, handler: Route['handler'], auth = true): void {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), auth, handler });
  }

  private registerRoutes(): void {
    this.route('GET', '/gateway/bot', () =>
      ok({
        url: this.gatewayUrl,
        shards: this.opts.shards ?? 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      }),
    );
    this.route('GET', '/gateway', () => ok({ url: this.gatewayUrl }), false);
    this.route('GET', '/users/@me', () => ok(this.botUser));
    this.route('POST', '/users/@me/channels', ({ body }) => {
      const recipient = isRecord(body) ? this.users.get(String(body.recipient_id)) : undefined;
      return recipient ? ok(this.dmChannelFor(recipient).data) : err(400, 50033, 'Invalid Recipients');
    });
    this.route('GET', '/users/:user', ({ params }) => {
      const u = this.users.get(params.user ?? '');
      return u ? ok(u) : err(404, 10013, 'Unknown User');
    });
    this.route('GET', '/applications/@me', () =>
      ok({
        id: this.applicationId,
        name: this.botUser.username,
        icon: null,
        description: '',
        summary: '',
        bot_public: true,
        bot_require_code_grant: false,
        verify_key: '0'.repeat(64),
        flags: 0,
        team: null,
        owner: this.defaultUser,
        bot: this.botUser,
        approximate_guild_count: this.guilds.size,
        interactions_endpoint_url: null,
        tags: [],
      }),
    );
    this.route('GET', '/guilds/:guild', ({ params }) => {
      const g = this.guilds.get(params.guild ?? '');
      if (!g) return err(404, 10004, 'Unknown Guild');
      const { members: _m, channels: _c, threads: _t, ...rest } = this.guildCreatePayload(g);
      return ok(rest);
    });
    this.route('GET', '/guilds/:guild/members/:user', ({ params }) => {
      const m = this.guilds.get(params.guild ?? '')?.members.get(params.user ?? '');
      return m ? ok(m) : err(404, 10007, 'Unknown Member');
    });

    // interactions
    this.route('POST', '/interactions/:id/:token/callback', (ctx) => this.onCallback(ctx), false);
    this.route('POST', '/webhooks/:app/:token', (ctx) => this.onFollowUp(ctx), false);
    this.route(
      'GET',
      '/webhooks/:app/:token/messages/:message',
      (ctx) => this.onWebhookMessage('GET', ctx),
      false,
    );
    this.route(
      'PATCH',
      '/webhooks/:app/:token/messages/:message',
      (ctx) => this.onWebhookMessage('PATCH', ctx),
      false,
    );
    this.route(
      'DELETE',
      '/webhooks/:app/:token/messages/:message',
      (ctx) => this.onWebhookMessage('DELETE', ctx),
      false,
    );

    // channels
    this.route('GET', '/channels/:channel', ({ params }) => {
      const c = this.channels.get(params.channel ?? '');
      if (!c) return unknownChannel();
      return this.denied(c, []) ?? ok(c.data);
    });
    this.route('POST', '/channels/:channel/messages', (ctx) => this.onChannelMessage(ctx));
    this.route('GET', '/channels/:channel/messages', ({ params, query }) => {
      if (!this.channels.has(params.channel ?? '')) return unknownChannel();
      const limit = Number(query.get('limit') ?? 50);
      return ok(
        this.channelMessages(params.channel ?? '')
          .reverse()
          .slice(0, limit),
      );
    });
    this.route('GET', '/channels/:channel/messages/:message', ({ params }) => {
      const m = this.messages.get(params.message ?? '');
      return m && !m.deleted && !m.ephemeral && m.message.channel_id === params.channel
        ? ok(m.message)
        : unknownMessage();
    });
    this.route('PATCH', '/channels/:channel/messages/:message', ({ params, body, files, record }) => {
      const m = this.messages.get(params.message ?? '');
      if (!m || m.deleted || m.message.channel_id !== params.channel) return unknownMessage();
      if (m.message.author.id !== this.botUser.id)
        return err(403, 50005, 'Cannot edit a message authored by another user');
      const e = this.applyEdit(m, isRecord(body) ? body : {}, files);
      if (e) return e;
      this.recordSent('edit-channel', m, body, files, record);
      this.echo('MESSAGE_UPDATE', m);
      return ok(m.message);
    });
    this.route('DELETE', '/channels/:channel/messages/:message', ({ params }) => {
      const m = this.messages.get(params.message ?? '');
      if (!m || m.deleted || m.message.channel_id !== params.channel) return unknownMessage();
      m.deleted = true;
      this.echo('MESSAGE_DELETE', m);
      return noContent();
    });
    this.route('POST', '/channels/:channel/typing', ({ params }) => {
      const c = this.channels.get(params.channel ?? '');
      if (!c) return unknownChannel();
      return this.denied(c, []) ?? noContent();
    });
    const reaction = ({ params }: Ctx): Reply => {
      const m = this.messages.get(params.message ?? '');
      return m && !m.deleted && m.message.channel_id === params.channel ? noContent() : unknownMessage();
    };
    this.route('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', reaction);
    this.route('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/@me', reaction);
    this.route('POST', '/channels/:channel/messages/:message/threads', (ctx) => this.onThreadCreate(ctx));
    this.route('POST', '/channels/:channel/threads', (ctx) => this.onThreadCreate(ctx));

    // commands
    this.route('GET', '/applications/:app/commands', ({ params }) =>
      params.app === this.applicationId
        ? ok(this.registeredCommands.global)
        : err(404, 10002, 'Unknown Application'),
    );
    this.route('PUT', '/applications/:app/commands', (ctx) => this.onPutCommands(ctx, null));
    this.route('POST', '/applications/:app/commands', (ctx) => this.onPostCommand(ctx, null));
    this.route('GET', '/applications/:app/guilds/:guild/commands', ({ params }) =>
      params.app === this.applicationId
        ? ok(this.registeredCommands.guild[params.guild ?? ''] ?? [])
        : err(404, 10002, 'Unknown Application'),
    );
    this.route('PUT', '/applications/:app/guilds/:guild/commands', (ctx) =>
      this.onPutCommands(ctx, ctx.params.guild ?? ''),
    );
    this.route('POST', '/applications/:app/guilds/:guild/commands', (ctx) =>
      this.onPostCommand(ctx, ctx.params.guild ?? ''),
    );
  }

  private onCallback({ params, query, body, files, record }: Ctx): Reply {
    const st = this.interactions.get(params.id ?? '');
    const type = isRecord(body) && typeof body.type === 'number' ? body.type : -1;
    const data = isRecord(body) ? body.data : undefined;
    const flags = isRecord(data) && typeof data.flags === 'number' ? data.flags : 0;
    const finish = (reply: Reply, accepted: boolean): Reply => {
      if (st) {
        st.callbacks.push({
          type,
          accepted,
          status: reply.status,
          ...(accepted ? {} : { error: reply.body as DiscordErrorBody }),
          data,
          ...((type === 4 || type === 7) && isRecord(data) ? { message: data as MessageBody } : {}),
          ...(type === 8 && isRecord(data) && Array.isArray(data.choices)
            ? { choices: data.choices as APIApplicationCommandOptionChoice[] }
            : {}),
          ...(type === 9 && isRecord(data)
            ? { modal: data as unknown as APIModalInteractionResponseCallbackData }
            : {}),
          flags,
          ephemeral: (flags & MESSAGE_FLAG_EPHEMERAL) !== 0,
          latencyMs: this.now() - st.dispatchedAt,
          files,
          request: record,
        });
      }
      return reply;
    };
    if (!st || st.token !== params.token) return finish(unknownInteraction(), false);
    if (this.now() - st.dispatchedAt > this.interactionWindowMs) return finish(unknownInteraction(), false);
    if (st.ack !== null) return finish(err(400, 40060, 'Interaction has already been acknowledged.'), false);

    const allowedTypes: Record<InteractionKind, number[]> = {
      command: [4, 5, 9],
      autocomplete: [8],
      button: [4, 5, 6, 7, 9],
      select: [4, 5, 6, 7, 9],
      modal: [4, 5, 6, 7],
    };
    const v = new Validator();
    if (!allowedTypes[st.kind].includes(type)) {
      v.add(['type'], 'BASE_TYPE_CHOICES', `Value must be one of {${allowedTypes[st.kind].join(', ')}}.`);
      return finish(invalid(v), false);
    }
    const channel = this.channels.get(st.channelId);
    if (!channel) return finish(unknownChannel(), false);
    const ephemeral = (flags & MESSAGE_FLAG_EPHEMERAL) !== 0;
    let message: FakeMessage | undefined;

    if (type === 4) {
      const e = this.checkCreate(data, files, ['data']);
      if (e) return finish(e, false);
      const stored = this.createMessage({
        channel,
        author: this.botUser,
        body: data as MessageBody,
        files,
        type: st.kind === 'command' ? 20 : 0,
        webhookId: this.applicationId,
        interaction: st,
        ephemeral,
      });
      st.originalId = stored.message.id;
      message = stored.message;
      this.recordSent('interaction-callback', stored, data, files, record, st.id);
      this.echo('MESSAGE_CREATE', stored);
    } else if (type === 5) {
      const stored = this.createMessage({
        channel,
        author: this.botUser,
        body: {},
        files: [],
        type: st.kind === 'command' ? 20 : 0,
        webhookId: this.applicationId,
        interaction: st,
        ephemeral,
        flags: MESSAGE_FLAG_LOADING | (ephemeral ? MESSAGE_FLAG_EPHEMERAL : 0),
      });
      st.originalId = stored.message.id;
      message = stored.message;
      this.echo('MESSAGE_CREATE', stored);
    } else if (type === 6 || type === 7) {
      st.originalId = st.sourceMessageId;
      const stored = st.sourceMessageId ? this.messages.get(st.sourceMessageId) : undefined;
      if (type === 7) {
        if (!stored) return finish(unknownMessage(), false);
        if (!isRecord(data)) {
          v.add(['data'], 'BASE_TYPE_REQUIRED', 'This field is required');
          return finish(invalid(v), false);
        }
        const prefixed = new Validator();
        validateMessageBody(prefixed, data, ['data']);
        if (!prefixed.ok) return finish(invalid(prefixed), false);
        const e = this.applyEdit(stored, data, files);
        if (e) return finish(e, false);
        this.recordSent('interaction-update', stored, data, files, record, st.id);
        this.echo('MESSAGE_UPDATE', stored);
      }
      message = stored?.message;
    } else if (type === 8) {
      validateAutocompleteData(v, data, ['data']);
      if (!v.ok) return finish(invalid(v), false);
    } else if (type === 9) {
      validateModalData(v, data, ['data']);
      if (!v.ok) return finish(invalid(v), false);
    }

    st.ack = type;
    if (query.get('with_response') === 'true') {
      return finish(
        ok({
          interaction: {
            id: st.id,
            type: st.payload.type,
            activity_instance_id: null,
            response_message_id: message?.id ?? null,
            response_message_loading: type === 5,
            response_message_ephemeral: ephemeral,
          },
          ...(type === 8 ? {} : { resource: { type, ...(message ? { message } : {}) } }),
        }),
        true,
      );
    }
    return finish(noContent(), true);
  }

  private webhookInteraction(params: Record<string, string>): InteractionState | Reply {
    if (params.app !== this.applicationId) return unknownWebhook();
    const st = this.interactionsByToken.get(params.token ?? '');
    if (!st) return unknownWebhook();
    if (this.now() - st.dispatchedAt > this.tokenTtlMs) return err(401, 50027, 'Invalid Webhook Token');
    if (st.ack === null) return unknownWebhook();
    return st;
  }

  private onFollowUp({ params, query, body, files, record }: Ctx): Reply {
    const st = this.webhookInteraction(params);
    if ('status' in st) return st;
    const channel = this.channels.get(st.channelId);
    if (!channel) return unknownChannel();
    const e = this.checkCreate(body, files, []);
    if (e) return e;
    const data = (isRecord(body) ? body : {}) as MessageBody;
    let stored: StoredMessage | undefined;
    const original = st.originalId ? this.messages.get(st.originalId) : undefined;
    if (st.ack === 5 && original && ((original.message.flags ?? 0) & MESSAGE_FLAG_LOADING) !== 0) {
      // Discord: after a deferred reply, the first follow-up replaces the "thinking…" message.
      const e2 = this.applyEdit(original, data as Record<string, unknown>, files);
      if (e2) return e2;
      stored = original;
      this.recordSent('followup', stored, body, files, record, st.id);
      this.echo('MESSAGE_UPDATE', stored);
    } else {
      stored = this.createMessage({
        channel,
        author: this.botUser,
        body: data,
        files,
        webhookId: this.applicationId,
        interaction: st,
        ephemeral: ((data.flags ?? 0) & MESSAGE_FLAG_EPHEMERAL) !== 0,
      });
      st.followUpIds.push(stored.message.id);
      this.recordSent('followup', stored, body, files, record, st.id);
      this.echo('MESSAGE_CREATE', stored);
    }
    return query.get('wait') === 'true' ? ok(stored.message) : noContent();
  }

  private onWebhookMessage(method: 'GET' | 'PATCH' | 'DELETE', { params, body, files, record }: Ctx): Reply {
    const st = this.webhookInteraction(params);
    if ('status' in st) return st;
    const isOriginal = params.message === '@original' || params.message === st.originalId;
    const id = params.message === '@original' ? st.originalId : (params.message ?? null);
    if (id === null || (!isOriginal && !st.followUpIds.includes(id))) return unknownMessage();
    const stored = this.messages.get(id);
    if (!stored || stored.deleted) return unknownMessage();
    if (method === 'GET') return ok(stored.message);
    if (method === 'DELETE') {
      stored.deleted = true;
      this.echo('MESSAGE_DELETE', stored);
      return noContent();
    }
    const e = this.applyEdit(stored, isRecord(body) ? body : {}, files);
    if (e) return e;
    this.recordSent(isOriginal ? 'edit-original' : 'edit-followup', stored, body, files, record, st.id);
    this.echo('MESSAGE_UPDATE', stored);
    return ok(stored.message);
  }

  private onChannelMessage({ params, body, files, record }: Ctx): Reply {
    const channel = this.channels.get(params.channel ?? '');
    if (!channel) return unknownChannel();
    // Discord checks permissions first: Send Messages (in threads: Send Messages in Threads), Embed Links for
    // embeds, Attach Files for files, Read Message History for a reply.
    const asked = isRecord(body) ? body : {};
    const need = [
      THREAD_TYPES.has(channel.data.type)
        ? PermissionFlagsBits.SendMessagesInThreads
        : PermissionFlagsBits.SendMessages,
      ...(Array.isArray(asked.embeds) && asked.embeds.length > 0 ? [PermissionFlagsBits.EmbedLinks] : []),
      ...(files.length > 0 ? [PermissionFlagsBits.AttachFiles] : []),
    ];
    const refused = this.denied(channel, need);
    if (refused) return refused;
    if (
      isRecord(asked.message_reference) &&
      channel.guildId !== null &&
      (this.botPermissionsIn(channel.data.id) & PermissionFlagsBits.ReadMessageHistory) === 0n
    )
      return err(403, 160002, 'Cannot reply without permission to read message history');
    if (!TEXT_CHANNEL_TYPES.has(channel.data.type))
      return err(400, 50008, 'Cannot send messages in a non-text channel');
    const e = this.checkCreate(body, files, []);
    if (e) return e;
    const data = (isRecord(body) ? body : {}) as MessageBody;
    const ref = data.message_reference;
    if (ref && (ref.type ?? 0) === 0) {
      const target = ref.message_id ? this.messages.get(ref.message_id) : undefined;
      const exists = target && !target.deleted && target.message.channel_id === channel.data.id;
      if (!exists && ref.fail_if_not_exists !== false) {
        const v = new Validator();
        v.add(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
        return invalid(v);
      }
      if (!exists) delete data.message_reference;
    }
    const guild = channel.guildId ? this.guilds.get(channel.guildId) : undefined;
    const stored = this.createMessage({
      channel,
      author: this.botUser,
      body: data,
      files,
      ...(guild ? { member: this.memberPayload(guild, this.botUser) } : {}),
    });
    this.recordSent('channel', stored, body, files, record);
    this.echo('MESSAGE_CREATE', stored);
    return ok(stored.message);
  }

  private onThreadCreate({ params, body }: Ctx): Reply {
    const parent = this.channels.get(params.channel ?? '');
    if (!parent?.guildId) return unknownChannel();
    const privateThread = params.message === undefined && isRecord(body) && body.type === 12;
    const refused = this.denied(parent, [
      privateThread ? PermissionFlagsBits.CreatePrivateThreads : PermissionFlagsBits.CreatePublicThreads,
    ]);
    if (refused) return refused;
    if (parent.data.type !== 0 && parent.data.type !== 5) {
      return err(400, 50024, 'Cannot execute action on this channel type');
    }
    const v = new Validator();
    validateThreadBody(v, body);
    if (!v.ok || !isRecord(body)) return invalid(v);
    let id: string;
    let type: number;
    let starter: StoredMessage | undefined;
    if (params.message !== undefined) {
      starter = this.messages.get(params.message);
      if (!starter || starter.deleted || starter.message.channel_id !== parent.data.id)
        return unknownMessage();
      if (((starter.message.flags ?? 0) & MESSAGE_FLAG_HAS_THREAD) !== 0) {
        return err(400, 160004, 'A thread has already been created for this message');
      }
      id = starter.message.id;
      type = parent.data.type === 5 ? 10 : 11;
    } else {
      id = snowflake();
      type = typeof body.type === 'number' ? body.type : 12;
    }
    const thread = this.threadRecord({
      id,
      type,
      guildId: parent.guildId,
      parentId: parent.data.id,
      name: String(body.name),
      ownerId: this.botUser.id,
      ...(typeof body.auto_archive_duration === 'number' ? { autoArchive: body.auto_archive_duration } : {}),
      ...(typeof body.rate_limit_per_user === 'number' ? { rateLimit: body.rate_limit_per_user } : {}),
      invitable: body.invitable !== false,
    });
    this.channels.set(id, { data: thread, guildId: parent.guildId });
    this.threads.push(thread);
    if (starter) {
      starter.message.flags = (starter.message.flags ?? 0) | MESSAGE_FLAG_HAS_THREAD;
      starter.message.thread = thread as unknown as FakeMessage['thread'];
    }
    this.dispatch(
      'THREAD_CREATE',
      { ...thread, newly_created: true },
      (s) => (s.intents & INTENT_GUILDS) !== 0,
    );
    return ok(thread, 201);
  }

  private commandRecord(
    raw: Record<string, unknown>,
    guildId: string | null,
    existing: APIApplicationCommand[],
  ) {
    const type = typeof raw.type === 'number' ? raw.type : 1;
    const prev = existing.find((c) => c.name === raw.name && c.type === type);
    return {
      description: '',
      options: [],
      default_member_permissions: null,
      dm_permission: true,
      nsfw: false,
      integration_types: [0],
      contexts: null,
      name_localizations: null,
      description_localizations: null,
      ...raw,
      id: prev?.id ?? snowflake(),
      type,
      application_id: this.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      version: snowflake(),
    } as unknown as APIApplicationCommand;
  }

  private onPutCommands({ params, body }: Ctx, guildId: string | null): Reply {
    if (params.app !== this.applicationId) return err(404, 10002, 'Unknown Application');
    if (guildId !== null && !this.guilds.has(guildId)) return err(404, 10004, 'Unknown Guild');
    const v = new Validator();
    validateCommandList(v, body);
    if (!v.ok || !Array.isArray(body)) return invalid(v);
    const existing =
      guildId === null ? this.registeredCommands.global : (this.registeredCommands.guild[guildId] ?? []);
    const list = body.filter(isRecord).map((raw) => this.commandRecord(raw, guildId, existing));
    if (guildId === null) this.registeredCommands.global = list;
    else this.registeredCommands.guild[guildId] = list;
    return ok(list);
  }

  private onPostCommand({ params, body }: Ctx, guildId: string | null): Reply {
    if (params.app !== this.applicationId) return err(404, 10002, 'Unknown Application');
    const v = new Validator();
    validateCommandList(v, [body]);
    if (!v.ok || !isRecord(body)) return invalid(v);
    const existing =
      guildId === null ? this.registeredCommands.global : (this.registeredCommands.guild[guildId] ?? []);
    const cmd = this.commandRecord(body, guildId, existing);
    const next = [...existing.filter((c) => c.id !== cmd.id), cmd];
    if (guildId === null) this.registeredCommands.global = next;
    else this.registeredCommands.guild[guildId] = next;
    return ok(cmd, 201);
  }

  // ── HTTP plumbing ──

  private async parseBody(
    req: IncomingMessage,
    raw: Buffer,
  ): Promise<{ body: unknown; files: RecordedFile[] } | Reply> {
    const ct = req.headers['content-type'] ?? '';
    if (raw.length === 0) return { body: undefined, files: [] };
    if (ct.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': ct } }).formData();
      const files: RecordedFile[] = [];
      let body: Record<string, unknown> | undefined;
      const fields: Record<string, unknown> = {};
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          if (field === 'payload_json') {
            const parsed: unknown = JSON.parse(value);
            body = isRecord(parsed) ? parsed : { payload_json: parsed };
          } else fields[field] = value;
        } else {
          files.push({
            field,
            filename: value.name,
            contentType: value.type || 'application/octet-stream',
            data: Buffer.from(await value.arrayBuffer()),
          });
        }
      }
      return {
        body: body ? { ...fields, ...body } : Object.keys(fields).length > 0 ? fields : undefined,
        files,
      };
    }
    try {
      return { body: JSON.parse(raw.toString('utf8')), files: [] };
    } catch {
      return err(400, 50109, 'The request body contains invalid JSON.');
    }
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.httpBase || 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    const isApi = segments[0] === 'api' && /^v\d+$/.test(segments[1] ?? '');
    const routeSegments = isApi ? segments.slice(2) : segments;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const record: RecordedRequest = {
      seq: ++this.seq,
      method: req.method ?? 'GET',
      path: `/${routeSegments.join('/')}`,
      url: req.url ?? '/',
      query: Object.fromEntries(url.searchParams),
      headers,
      body: undefined,
      files: [],
      status: 0,
      response: undefined,
      matched: false,
      at: this.now(),
    };

    let reply: Reply;
    try {
      reply = await this.dispatchHttp(req, record, raw, isApi, routeSegments, url.searchParams);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.internalErrors.push(error);
      reply = err(500, 0, `fake-discord internal error: ${error.message}`);
    }
    record.status = reply.status;
    record.response = reply.body;
    this.requests.push(record);
    if (!record.matched && this.opts.logUnknownRoutes !== false) {
      process.stderr.write(`[fake-discord] no route for ${record.method} ${url.pathname} → 404\n`);
    }
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.raw) {
      res.writeHead(reply.status, {
        'content-type': reply.raw.contentType,
        'content-length': reply.raw.data.length,
      });
      res.end(req.method === 'HEAD' ? undefined : reply.raw.data);
    } else if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status);
      res.end();
    } else {
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    }
    this.changed();
  }

  private async dispatchHttp(
    req: IncomingMessage,
    record: RecordedRequest,
    raw: Buffer,
    isApi: boolean,
    segments: string[],
    query: URLSearchParams,
  ): Promise<Reply> {
    const method = req.method ?? 'GET';
    if (!isApi) {
      if (segments[0] === 'attachments' && (method === 'GET' || method === 'HEAD')) {
        record.matched = true;
        const a = this.attachments.get(`/${segments.join('/')}`);
        return a
          ? { status: 200, raw: { contentType: a.contentType, data: a.data } }
          : err(404, 0, '404: Not Found');
      }
      return err(404, 0, '404: Not Found');
    }
    const parsed = await this.parseBody(req, raw);
    if ('status' in parsed) return parsed;
    record.body = parsed.body;
    record.files = parsed.files;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = route.segments.every((seg, i) => {
        const actual = segments[i] ?? '';
        if (seg.startsWith(':')) {
          params[seg.slice(1)] = actual;
          return true;
        }
        return seg === actual;
      });
      if (!matches) continue;
      record.matched = true;
      if (route.auth) {
        const auth = req.headers.authorization ?? '';
        const m = /^Bot\s+(\S+)$/.exec(auth);
        if (!m || (this.opts.token !== undefined && m[1] !== this.opts.token))
          return err(401, 0, '401: Unauthorized');
      }
      const injected = this.injectedFailure(method, record.path);
      if (injected) return injected;
      const reply = await route.handler({ params, query, body: parsed.body, files: parsed.files, record });
      return this.reshaped(method, record.path, reply);
    }
    return err(404, 0, '404: Not Found');
  }

  failRequests(failure: RequestFailure): InjectedFailure {
    return counted(this.failures, failure);
  }

  reshapeResponses(rule: ResponseReshape): InjectedFailure {
    return counted(this.reshapes, rule);
  }

  private reshaped(method: string, path: string, reply: Reply): Reply {
    if (reply.status >= 300 || typeof reply.body !== 'object' || reply.body === null) return reply;
    const r = takeMatching(this.reshapes, method, path);
    if (!r) return reply;
    return { ...reply, body: r.reshape(structuredClone(reply.body) as Record<string, unknown>) };
  }

  private injectedFailure(method: string, path: string): Reply | null {
    const f = takeMatching(this.failures, method, path);
    if (!f) return null;
    if (f.status === 429) {
      const seconds = (f.retryAfterMs ?? 100) / 1000;
      return {
        status: 429,
        body: {
          message: 'You are being rate limited.',
          retry_after: seconds,
          global: f.global === true,
          code: 0,
        },
        headers: {
          'retry-after': String(seconds),
          'x-ratelimit-scope': f.global ? 'global' : 'user',
          ...(f.global
            ? { 'x-ratelimit-global': 'true' }
            : {
                'x-ratelimit-limit': '5',
                'x-ratelimit-remaining': '0',
                'x-ratelimit-reset-after': String(seconds),
                'x-ratelimit-bucket': 'fake-bucket',
              }),
        },
      };
    }
    if (f.status >= 500)
      return { status: f.status, body: { message: f.message ?? '500: Internal Server Error', code: 0 } };
    return err(f.status, f.code ?? 0, f.message ?? `${f.status}: Error`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const e = new Error('fake-discord: server closed while waiting');
    for (const reject of [...this.pendingRejects]) reject(e);
    for (const s of this.sessions) s.ws.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts the fake on a random loopback port. Call `close()` when done (after destroying clients). */
export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const fake = new FakeDiscordServer(opts);
  await fake.listen();
  return fake;
}

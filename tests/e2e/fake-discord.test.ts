import { once } from 'node:events';
import {
  ActionRowBuilder,
  type AutocompleteInteraction,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  MessageFlags,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.js';

let clockOffset = 0;
let fake: FakeDiscord;
let client: Client;
const clientErrors: unknown[] = [];

async function connect(f: FakeDiscord, intents: GatewayIntentBits[]): Promise<Client> {
  const c = new Client({ intents, rest: { api: f.apiBase }, allowedMentions: { parse: [] } });
  c.on(Events.Error, (e) => clientErrors.push(e));
  const ready = once(c, Events.ClientReady);
  await c.login('fake-token');
  await ready;
  return c;
}

/** Runs `fn` for the next interaction and exposes its promise so the test can assert on rejection. */
function onNextInteraction<T>(fn: (i: Interaction) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    client.once(Events.InteractionCreate, (i) => {
      fn(i).then(resolve, reject);
    });
  });
}

function onNextUserMessage<T>(fn: (m: Message) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (m: Message): void => {
      if (m.author.bot) return; // the fake echoes the bot's own messages, as Discord does
      client.off(Events.MessageCreate, listener);
      fn(m).then(resolve, reject);
    };
    client.on(Events.MessageCreate, listener);
  });
}

beforeAll(async () => {
  fake = await startFakeDiscord({ now: () => Date.now() + clockOffset, logUnknownRoutes: false });
  client = await connect(fake, [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.MessageContent,
  ]);
});

afterEach(() => {
  clockOffset = 0;
  client.removeAllListeners(Events.InteractionCreate);
  client.removeAllListeners(Events.MessageCreate);
  expect(fake.internalErrors).toEqual([]);
  expect(fake.unmatchedRequests).toEqual([]);
  expect(clientErrors).toEqual([]);
});

afterAll(async () => {
  await client?.destroy();
  await fake?.close();
});

describe('fake Discord with the real discord.js client', () => {
  it('logs in: READY + GUILD_CREATE populate the client caches', async () => {
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    const channel = client.channels.cache.get(fake.defaultChannelId);
    expect(channel?.isTextBased()).toBe(true);
    expect(client.guilds.cache.get(fake.defaultGuildId)?.members.cache.has(fake.botUser.id)).toBe(true);
    expect(fake.identifies[0]?.token).toBe('fake-token');
    expect(fake.identifies[0]?.intents).toBe((1 << 0) | (1 << 9) | (1 << 15));
    expect(fake.unmatchedRequests).toEqual([]);
  });

  it('records a slash command answered with interaction.reply', async () => {
    const done = onNextInteraction(async (i) => {
      const cmd = i as ChatInputCommandInteraction;
      await cmd.reply({ content: `You asked: ${cmd.options.getString('question')}` });
    });
    const handle = await fake.sendInteraction({ type: 'command', name: 'ask', options: { question: 'hi' } });
    await done;
    const res = await fake.waitForInteractionResponse(handle);
    expect(res.type).toBe(4);
    expect(res.message?.content).toBe('You asked: hi');
    expect(res.message?.allowed_mentions).toEqual({ parse: [] });
    expect(handle.original?.content).toBe('You asked: hi');
    const sent = fake.sentMessages.find((m) => m.interactionId === handle.id);
    expect(sent?.via).toBe('interaction-callback');
  });

  it('records a deferred reply followed by editReply (PATCH @original)', async () => {
    const done = onNextInteraction(async (i) => {
      const cmd = i as ChatInputCommandInteraction;
      await cmd.deferReply();
      await cmd.editReply({ content: 'the answer', embeds: [new EmbedBuilder().setTitle('Source')] });
    });
    const handle = await fake.sendInteraction({ type: 'command', name: 'ask', options: { question: 'q' } });
    expect((await handle.waitForResponse()).type).toBe(5);
    const original = await handle.waitForOriginal((m) => m.content === 'the answer');
    await done;
    expect(original.embeds[0]?.title).toBe('Source');
    const patch = fake.requests.find((r) => r.method === 'PATCH' && r.path.includes(handle.token));
    expect(patch?.path).toBe(`/webhooks/${fake.applicationId}/${handle.token}/messages/@original`);
  });

  it('accepts 25 autocomplete choices and rejects 26 with a DiscordAPIError', async () => {
    const choices = (n: number) =>
      Array.from({ length: n }, (_, k) => ({ name: `Force ${k}`, value: `f${k}` }));
    const okDone = onNextInteraction((i) => (i as AutocompleteInteraction).respond(choices(25)));
    const okHandle = await fake.sendInteraction({ type: 'autocomplete', name: 'ask', focused: 'force' });
    await okDone;
    expect((await okHandle.waitForResponse()).choices).toHaveLength(25);

    const badDone = onNextInteraction((i) => (i as AutocompleteInteraction).respond(choices(26)));
    const badHandle = await fake.sendInteraction({
      type: 'autocomplete',
      name: 'ask',
      options: { force: 'Met' },
      focused: 'force',
    });
    const error = await badDone.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50035);
    expect((error as DiscordAPIError).message).toContain('Must be 25 or fewer in length');
    expect(badHandle.callbacks[0]?.accepted).toBe(false);
  });

  it('delivers MESSAGE_CREATE and records message.reply with message_reference', async () => {
    const done = onNextUserMessage((m) => m.reply({ content: `pong: ${m.content}` }));
    const { message, delivered } = await fake.sendMessage({ content: 'ping', mentionsBot: true });
    expect(delivered).toBe(true);
    await done;
    const sent = await fake.waitForChannelMessage(
      fake.defaultChannelId,
      (m) => m.body.content?.startsWith('pong') ?? false,
    );
    expect(sent.body.content).toBe(`pong: <@${fake.botUser.id}> ping`);
    expect(sent.body.message_reference?.message_id).toBe(message.id);
    expect(sent.message.type).toBe(19);
    expect(sent.body.allowed_mentions).toEqual({ parse: [] });
    expect(sent.message.mentions).toEqual([]); // replied_user not allowed → no ping
  });

  it('starts a thread from a message and lets the bot post in it', async () => {
    const done = onNextUserMessage(async (m) => {
      const thread = await m.startThread({ name: 'Discussion' });
      await thread.send('in the thread');
      return thread.id;
    });
    const { message } = await fake.sendMessage({ content: 'start a thread' });
    const threadId = await done;
    expect(threadId).toBe(message.id); // Discord reuses the starter message id
    expect(fake.threads[0]).toMatchObject({ id: message.id, name: 'Discussion', type: 11 });
    expect(client.channels.cache.get(threadId)?.isThread()).toBe(true);
    await fake.waitForChannelMessage(threadId, (m) => m.body.content === 'in the thread');
  });

  it('rejects a reply over 2000 characters like the API does', async () => {
    const done = onNextUserMessage((m) => m.reply('x'.repeat(2001)));
    await fake.sendMessage({ content: 'long please' });
    const error = await done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).status).toBe(400);
    expect((error as DiscordAPIError).message).toContain('content[BASE_TYPE_MAX_LENGTH]');
    expect(fake.failedRequests.at(-1)?.response).toMatchObject({
      code: 50035,
      errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } },
    });
  });

  it('rejects an interaction reply 3.5 s after dispatch with 10062', async () => {
    const done = onNextInteraction(async (i) => {
      clockOffset = 3500; // the fake's clock says 3.5 s have passed
      await (i as ChatInputCommandInteraction).reply('too late');
    });
    const handle = await fake.sendInteraction({ type: 'command', name: 'ask' });
    const error = await done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(10062);
    expect(handle.callbacks[0]?.latencyMs).toBeGreaterThanOrEqual(3500);
  });

  it('rejects a second callback with 40060', async () => {
    const done = onNextInteraction(async (i) => {
      await (i as ChatInputCommandInteraction).reply('first');
      // discord.js guards against this itself, so go around it the way a buggy raw call would
      await client.rest.post(`/interactions/${i.id}/${i.token}/callback`, {
        body: { type: 4, data: { content: 'second' } },
        auth: false,
      });
    });
    await fake.sendInteraction({ type: 'command', name: 'ask' });
    const error = await done.then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as DiscordAPIError).code).toBe(40060);
  });

  it('rejects more than 6000 embed characters in a message', async () => {
    const done = onNextInteraction((i) =>
      (i as ChatInputCommandInteraction).reply({
        embeds: [1, 2].map((k) => new EmbedBuilder().setTitle(`Part ${k}`).setDescription('y'.repeat(3500))),
      }),
    );
    await fake.sendInteraction({ type: 'command', name: 'ask' });
    const error = await done.then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as DiscordAPIError).message).toContain('MAX_EMBED_SIZE_EXCEEDED');
  });

  it('serves attachments over HTTP for the bot to fetch', async () => {
    const file = fake.serveAttachment({
      filename: 'report.txt',
      contentType: 'text/plain',
      body: 'inspection text',
    });
    const done = onNextInteraction(async (i) => {
      const cmd = i as ChatInputCommandInteraction;
      const att = cmd.options.getAttachment('file', true);
      const res = await fetch(att.url);
      await cmd.reply(`${att.name}: ${await res.text()}`);
    });
    const handle = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'add',
      options: { file },
    });
    await done;
    expect((await handle.waitForOriginal()).content).toBe('report.txt: inspection text');
  });

  it('uploads files as multipart and records payload_json', async () => {
    const done = onNextInteraction((i) =>
      (i as ChatInputCommandInteraction).reply({
        content: 'see file',
        files: [{ attachment: Buffer.from('a,b\n1,2\n'), name: 'data.csv' }],
      }),
    );
    const handle = await fake.sendInteraction({ type: 'command', name: 'export' });
    await done;
    const res = await handle.waitForResponse();
    expect(res.message?.content).toBe('see file');
    expect(res.files[0]?.data.toString()).toBe('a,b\n1,2\n');
    const url = handle.original?.attachments[0]?.url ?? '';
    expect(await (await fetch(url)).text()).toBe('a,b\n1,2\n');
  });

  it('records PUT of global and guild commands, and rejects invalid names', async () => {
    const command = { name: 'ask', description: 'Ask about inspections', options: [] };
    await client.application?.commands.set([command]);
    await client.application?.commands.set([{ ...command, name: 'kb' }], fake.defaultGuildId);
    expect(fake.registeredCommands.global.map((c) => c.name)).toEqual(['ask']);
    expect(fake.registeredCommands.guild[fake.defaultGuildId]?.map((c) => c.name)).toEqual(['kb']);
    await expect(client.application?.commands.set([{ ...command, name: 'Ask Me' }])).rejects.toThrow(
      'APPLICATION_COMMAND_INVALID_NAME',
    );
  });

  it('handles a button click answered with update, and follow-ups after a deferred reply', async () => {
    const asked = onNextInteraction((i) =>
      (i as ChatInputCommandInteraction).reply({
        content: 'Page 1',
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId('page:2').setLabel('Next').setStyle(ButtonStyle.Primary),
          ),
        ],
      }),
    );
    const command = await fake.sendInteraction({ type: 'command', name: 'ask' });
    await asked;
    const clicked = onNextInteraction((i) =>
      (i as ButtonInteraction).update({ content: 'Page 2', components: [] }),
    );
    const click = await fake.sendInteraction({ type: 'button', customId: 'page:2' });
    await clicked;
    expect(click.payload.message?.id).toBe(command.original?.id);
    expect((await click.waitForResponse()).type).toBe(7);
    expect(command.original?.content).toBe('Page 2');

    const followed = onNextInteraction(async (i) => {
      const cmd = i as ChatInputCommandInteraction;
      const res = await cmd.deferReply({ withResponse: true });
      await cmd.followUp('replaces the thinking message'); // Discord's (deprecated) compatibility behaviour
      await cmd.followUp({ content: 'a real follow-up', flags: MessageFlags.Ephemeral });
      return res.resource?.message?.id;
    });
    const handle = await fake.sendInteraction({ type: 'command', name: 'ask' });
    const resourceId = await followed;
    expect(resourceId).toBe(handle.original?.id);
    expect(handle.original?.content).toBe('replaces the thinking message');
    const f = await handle.waitForFollowUp();
    expect(f.content).toBe('a real follow-up');
    expect(f.flags).toBe(MessageFlags.Ephemeral);
  });

  it('acks heartbeats and honours a missing MessageContent intent', async () => {
    const f = await startFakeDiscord({ heartbeatIntervalMs: 30, logUnknownRoutes: false });
    const c = await connect(f, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    try {
      const got = new Promise<string>((resolve) => c.once(Events.MessageCreate, (m) => resolve(m.content)));
      const res = await f.sendMessage({ content: 'secret' });
      expect(res).toMatchObject({ delivered: true, contentVisible: false });
      expect(await got).toBe('');
      await new Promise((r) => setTimeout(r, 120));
      expect(f.heartbeats).toBeGreaterThanOrEqual(2);
      expect(c.ws.ping).toBeGreaterThanOrEqual(0);
    } finally {
      await c.destroy();
      await f.close();
    }
  });

  it('gives a timeout error that shows what was received', async () => {
    await expect(fake.waitForChannelMessage('123', undefined, { timeoutMs: 50 })).rejects.toThrow(
      /timed out after 50ms waiting for a message sent by the bot to channel 123[\s\S]*REST requests received/,
    );
  });
});

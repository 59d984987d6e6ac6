import { PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { checkModerator, requesterOf } from '../../src/discord/moderation.js';

const MOD = '123456789012345678';

describe('checkModerator', () => {
  it('allows Manage Server or a moderator role, refuses others and DMs', () => {
    const manage = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages;
    expect(checkModerator({ inGuild: true, permissions: manage, roleIds: [] }, [MOD])).toEqual({
      allowed: true,
      via: 'manage-server',
    });
    expect(checkModerator({ inGuild: true, permissions: 0n, roleIds: [MOD] }, [MOD])).toEqual({
      allowed: true,
      via: 'role',
    });
    expect(
      checkModerator({ inGuild: true, permissions: PermissionFlagsBits.SendMessages, roleIds: ['1'] }, [MOD]),
    ).toMatchObject({ allowed: false });
    expect(checkModerator({ inGuild: false, permissions: manage, roleIds: [MOD] }, [MOD])).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/only in a server/),
    });
    expect(checkModerator({ inGuild: true, permissions: null, roleIds: [] }, [])).toMatchObject({
      allowed: false,
    });
  });

  it('refuses /kb through an app installed only to the user’s account', () => {
    const manage = PermissionFlagsBits.ManageGuild;
    expect(
      checkModerator({ inGuild: true, installedInGuild: false, permissions: manage, roleIds: [MOD] }, [MOD]),
    ).toMatchObject({ allowed: false, reason: expect.stringMatching(/server that has added the bot/) });
    const base = { inGuild: () => true, memberPermissions: { bitfield: manage }, member: null, guildId: '5' };
    const installed = (
      owners: { guildId: string | null; userId: string | null } | undefined,
      cached = false,
    ) =>
      requesterOf({ ...base, authorizingIntegrationOwners: owners, inCachedGuild: () => cached })
        .installedInGuild;
    expect(installed({ guildId: '5', userId: null })).toBe(true);
    expect(installed({ guildId: '5', userId: '9' })).toBe(true);
    expect(installed({ guildId: null, userId: '9' })).toBe(false);
    expect(installed({ guildId: '6', userId: null })).toBe(false);
    // Payloads without owners: the bot being in the server says it was added there.
    expect(installed({ guildId: null, userId: null }, true)).toBe(true);
    expect(installed({ guildId: null, userId: null }, false)).toBe(false);
    expect(installed(undefined)).toBeUndefined();
  });

  it('reads roles from raw API members and from cached members', () => {
    const raw = requesterOf({
      inGuild: () => true,
      memberPermissions: { bitfield: 8n },
      member: { roles: [MOD] },
    });
    expect(raw).toEqual({ inGuild: true, permissions: 8n, roleIds: [MOD] });
    const cached = requesterOf({
      inGuild: () => true,
      memberPermissions: null,
      member: { roles: { cache: new Map([[MOD, {}]]) } },
    });
    expect(cached.roleIds).toEqual([MOD]);
  });
});

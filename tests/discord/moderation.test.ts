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

import { PermissionFlagsBits } from 'discord.js';

/** Who is asking for /kb, in the terms the check needs (no discord.js objects, so it is easy to test). */
export interface Requester {
  /** False in DMs and in servers the bot is not a member of as a bot user. */
  inGuild: boolean;
  /**
   * Whether the server itself installed the app (not only the user, to their account: a user-installed app
   * runs in any server where that user has Manage Server). Unset: yes.
   */
  installedInGuild?: boolean;
  /** The member's permissions in the channel, or null when unknown. */
  permissions: bigint | null;
  roleIds: readonly string[];
}

export type ModerationDecision =
  | { allowed: true; via: 'manage-server' | 'role' }
  | { allowed: false; reason: string };

/**
 * Moderators are members with Manage Server, or with a role in MODERATOR_ROLE_IDS. Checked at run time
 * even though /kb is registered with Manage Server as its default permission, because server admins can
 * override command permissions in Server Settings → Integrations.
 */
export function checkModerator(r: Requester, moderatorRoleIds: readonly string[]): ModerationDecision {
  if (!r.inGuild)
    return { allowed: false, reason: 'The /kb commands work only in a server, not in direct messages.' };
  if (r.installedInGuild === false)
    return {
      allowed: false,
      reason:
        'The /kb commands work only in a server that has added the bot, not through the app on your own account.',
    };
  if (
    r.permissions !== null &&
    (r.permissions & PermissionFlagsBits.ManageGuild) === PermissionFlagsBits.ManageGuild
  )
    return { allowed: true, via: 'manage-server' };
  if (r.roleIds.some((id) => moderatorRoleIds.includes(id))) return { allowed: true, via: 'role' };
  return {
    allowed: false,
    reason:
      'Only moderators can change the knowledge base: members with the Manage Server permission or a moderator role.',
  };
}

/** Reads a Requester from an interaction-like object (discord.js Interaction or the raw API member). */
export function requesterOf(i: {
  inGuild(): boolean;
  memberPermissions: { bitfield: bigint } | null;
  member: { roles: readonly string[] | { cache: { keys(): Iterable<string> } } } | null;
  guildId?: string | null;
  /** Who installed the app for this interaction: `guildId` for a server install, `userId` for a user's. */
  authorizingIntegrationOwners?: { guildId: string | null; userId: string | null } | null;
  inCachedGuild?(): boolean;
}): Requester {
  const roles = i.member?.roles;
  const roleIds = !roles
    ? []
    : Array.isArray(roles)
      ? [...roles]
      : [...(roles as { cache: { keys(): Iterable<string> } }).cache.keys()];
  const owners = i.authorizingIntegrationOwners;
  const installedInGuild =
    owners === undefined
      ? undefined
      : owners?.guildId
        ? owners.guildId === i.guildId
        : // No server install recorded: an older payload without owners counts if the bot is in the server.
          owners?.userId
          ? false
          : (i.inCachedGuild?.() ?? false);
  return {
    inGuild: i.inGuild(),
    ...(installedInGuild === undefined ? {} : { installedInGuild }),
    permissions: i.memberPermissions?.bitfield ?? null,
    roleIds,
  };
}

/**
 * Request-body validation for the fake Discord server (see ./fake-discord.ts).
 *
 * These mirror the limits the real Discord API enforces server-side and that discord.js does NOT check
 * client-side (content length, embed limits, component limits, autocomplete choices, command shapes).
 * Errors are collected into Discord's nested `errors` tree so the resulting 400 looks like the real one:
 * `{ code: 50035, message: 'Invalid Form Body', errors: { content: { _errors: [{ code, message }] } } }`.
 */

export interface FieldError {
  code: string;
  message: string;
}

export interface ErrorTree {
  [key: string]: ErrorTree | FieldError[];
}

export type ErrorPath = ReadonlyArray<string | number>;

export interface DiscordErrorBody {
  code: number;
  message: string;
  errors?: ErrorTree;
}

export class Validator {
  readonly errors: ErrorTree = {};
  private count = 0;

  get ok(): boolean {
    return this.count === 0;
  }

  get errorCount(): number {
    return this.count;
  }

  add(path: ErrorPath, code: string, message: string): void {
    this.count++;
    let node: ErrorTree = this.errors;
    for (const key of path) {
      const k = String(key);
      const next = node[k];
      if (next === undefined || Array.isArray(next)) {
        const created: ErrorTree = {};
        node[k] = created;
        node = created;
      } else {
        node = next;
      }
    }
    const list = node._errors;
    if (Array.isArray(list)) list.push({ code, message });
    else node._errors = [{ code, message }];
  }

  /** Flattened `path: message` lines, handy for assertion messages. */
  describe(): string[] {
    const out: string[] = [];
    const walk = (node: ErrorTree, prefix: string): void => {
      for (const [key, value] of Object.entries(node)) {
        if (key === '_errors' && Array.isArray(value)) {
          for (const e of value) out.push(`${prefix || '(root)'}: ${e.code} ${e.message}`);
        } else if (!Array.isArray(value)) {
          walk(value, prefix ? `${prefix}.${key}` : key);
        }
      }
    };
    walk(this.errors, '');
    return out;
  }

  toBody(): DiscordErrorBody {
    return { code: 50035, message: 'Invalid Form Body', errors: this.errors };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Discord counts characters (code points), not UTF-16 units. */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

interface StringRule {
  max: number;
  min?: number;
  required?: boolean;
}

/** Checks an optional string field; returns its length (0 when absent or invalid) for embed totals. */
function checkString(v: Validator, value: unknown, path: ErrorPath, rule: StringRule): number {
  if (value === undefined || value === null) {
    if (rule.required) v.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return 0;
  }
  if (typeof value !== 'string') {
    v.add(path, 'STRING_TYPE_CONVERT', `Could not interpret "${String(value)}" as string.`);
    return 0;
  }
  const n = charLength(value);
  const min = rule.min ?? (rule.required ? 1 : 0);
  if (n > rule.max || n < min) {
    if (min > 0) v.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${rule.max} in length.`);
    else v.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${rule.max} or fewer in length.`);
  }
  return n;
}

/**
 * Checks an optional list. Returns the list when its items should be validated, null otherwise (absent, not a
 * list, or the wrong length: like Discord, only the list's own error is reported then, and discord.js's
 * DiscordAPIError would not show item errors next to a list error anyway).
 */
function checkList(v: Validator, value: unknown, path: ErrorPath, max: number, min = 0): unknown[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) {
    v.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType.');
    return null;
  }
  if (value.length > max) {
    v.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    return null;
  }
  if (value.length < min) {
    v.add(path, 'BASE_TYPE_MIN_LENGTH', `Must be ${min} or more in length.`);
    return null;
  }
  return value;
}

export const MESSAGE_FLAG_EPHEMERAL = 1 << 6;
export const MESSAGE_FLAG_LOADING = 1 << 7;
export const MESSAGE_FLAG_SUPPRESS_EMBEDS = 1 << 2;
export const MESSAGE_FLAG_HAS_THREAD = 1 << 5;
export const MESSAGE_FLAG_IS_COMPONENTS_V2 = 1 << 15;

/**
 * Validates a message create/edit body (channel message, interaction callback `data`, webhook execute/edit).
 * Emptiness is checked separately (edits are partial), see {@link isEmptyMessage}.
 */
export function validateMessageBody(v: Validator, body: Record<string, unknown>, base: ErrorPath): void {
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  const isV2 = (flags & MESSAGE_FLAG_IS_COMPONENTS_V2) !== 0;
  checkString(v, body.content, [...base, 'content'], { max: 2000 });
  if (body.embeds !== undefined && body.embeds !== null) validateEmbeds(v, body.embeds, [...base, 'embeds']);
  if (body.components !== undefined && body.components !== null) {
    validateComponents(v, body.components, [...base, 'components'], isV2);
  }
  if (isV2) {
    if (typeof body.content === 'string' && body.content.length > 0) {
      v.add(
        [...base, 'content'],
        'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        'The "content" field cannot be used when using MessageFlags.IS_COMPONENTS_V2',
      );
    }
    if (Array.isArray(body.embeds) && body.embeds.length > 0) {
      v.add(
        [...base, 'embeds'],
        'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
        'The "embeds" field cannot be used when using MessageFlags.IS_COMPONENTS_V2',
      );
    }
  }
  if (body.allowed_mentions !== undefined && body.allowed_mentions !== null) {
    validateAllowedMentions(v, body.allowed_mentions, [...base, 'allowed_mentions']);
  }
  if (body.tts !== undefined && typeof body.tts !== 'boolean') {
    v.add([...base, 'tts'], 'BOOLEAN_TYPE_CONVERT', 'Must be either true or false.');
  }
}

export function validateEmbeds(v: Validator, embeds: unknown, path: ErrorPath): void {
  const list = checkList(v, embeds, path, 10);
  if (!list) return;
  const errorsBefore = v.errorCount;
  let total = 0;
  list.forEach((embed, i) => {
    const p = [...path, i];
    if (!isRecord(embed)) {
      v.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    total += checkString(v, embed.title, [...p, 'title'], { max: 256 });
    total += checkString(v, embed.description, [...p, 'description'], { max: 4096 });
    if (embed.color !== undefined && embed.color !== null) {
      if (
        typeof embed.color !== 'number' ||
        !Number.isInteger(embed.color) ||
        embed.color < 0 ||
        embed.color > 0xffffff
      ) {
        v.add([...p, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
      }
    }
    const fields = checkList(v, embed.fields, [...p, 'fields'], 25);
    fields?.forEach((field, j) => {
      const fp = [...p, 'fields', j];
      if (!isRecord(field)) {
        v.add(fp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
        return;
      }
      total += checkString(v, field.name, [...fp, 'name'], { max: 256, required: true });
      total += checkString(v, field.value, [...fp, 'value'], { max: 1024, required: true });
    });
    if (embed.footer !== undefined && embed.footer !== null) {
      if (isRecord(embed.footer)) {
        total += checkString(v, embed.footer.text, [...p, 'footer', 'text'], { max: 2048, required: true });
      } else v.add([...p, 'footer'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    }
    if (embed.author !== undefined && embed.author !== null) {
      if (isRecord(embed.author)) {
        total += checkString(v, embed.author.name, [...p, 'author', 'name'], { max: 256, required: true });
      } else v.add([...p, 'author'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    }
  });
  // Checked once the embeds themselves are valid (a list error can't sit next to item errors, see checkList).
  if (total > 6000 && v.errorCount === errorsBefore) {
    v.add(path, 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  }
}

const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

export function validateComponents(v: Validator, components: unknown, path: ErrorPath, isV2: boolean): void {
  const seenIds = new Set<string>();
  const checkCustomId = (value: unknown, p: ErrorPath, required: boolean): void => {
    checkString(v, value, p, { max: 100, required });
    if (typeof value === 'string') {
      if (seenIds.has(value))
        v.add(p, 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
      seenIds.add(value);
    }
  };
  const checkInteractive = (c: Record<string, unknown>, p: ErrorPath): void => {
    if (c.type === 2) {
      checkString(v, c.label, [...p, 'label'], { max: 80 });
      const style = c.style;
      if (typeof style !== 'number' || style < 1 || style > 6) {
        v.add([...p, 'style'], 'BASE_TYPE_CHOICES', `Value must be one of {1, 2, 3, 4, 5, 6}.`);
      } else if (style === 5) {
        if (typeof c.url !== 'string') v.add([...p, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
        if (c.custom_id !== undefined) {
          v.add(
            [...p, 'custom_id'],
            'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED',
            'A custom id cannot be used with link buttons',
          );
        }
      } else if (style !== 6) {
        checkCustomId(c.custom_id, [...p, 'custom_id'], true);
        if (c.url !== undefined)
          v.add(
            [...p, 'url'],
            'BUTTON_COMPONENT_URL_NOT_ALLOWED',
            'A url cannot be used with this button style',
          );
      }
    } else if (typeof c.type === 'number' && SELECT_TYPES.has(c.type)) {
      checkCustomId(c.custom_id, [...p, 'custom_id'], true);
      checkString(v, c.placeholder, [...p, 'placeholder'], { max: 150 });
      if (c.type === 3) {
        const options = checkList(v, c.options, [...p, 'options'], 25, 1);
        if (options === null && c.options === undefined)
          v.add([...p, 'options'], 'BASE_TYPE_REQUIRED', 'This field is required');
        options?.forEach((o, k) => {
          if (!isRecord(o)) return;
          checkString(v, o.label, [...p, 'options', k, 'label'], { max: 100, required: true });
          checkString(v, o.value, [...p, 'options', k, 'value'], { max: 100, required: true });
          checkString(v, o.description, [...p, 'options', k, 'description'], { max: 100 });
        });
      }
    }
  };

  if (isV2) {
    // Components V2: arbitrary layout, up to 40 components in total. Validate interactive leaves only.
    let total = 0;
    const walk = (list: unknown, p: ErrorPath): void => {
      if (!Array.isArray(list)) return;
      list.forEach((c, i) => {
        total++;
        if (!isRecord(c)) return;
        checkInteractive(c, [...p, i]);
        walk(c.components, [...p, i, 'components']);
        if (isRecord(c.accessory)) {
          total++;
          checkInteractive(c.accessory, [...p, i, 'accessory']);
        }
      });
    };
    const before = v.errorCount;
    if (checkList(v, components, path, 40)) walk(components, path);
    if (total > 40 && v.errorCount === before)
      v.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 40 or fewer in length.');
    return;
  }

  const rows = checkList(v, components, path, 5);
  rows?.forEach((row, i) => {
    const rp = [...path, i];
    if (!isRecord(row)) {
      v.add(rp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    if (row.type !== 1) {
      v.add([...rp, 'type'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'Top-level components must be action rows');
      return;
    }
    if (row.components === undefined || row.components === null) {
      v.add([...rp, 'components'], 'BASE_TYPE_REQUIRED', 'This field is required');
      return;
    }
    const children = checkList(v, row.components, [...rp, 'components'], 5, 1);
    if (!children) return;
    const hasSelect = children.some(
      (c) => isRecord(c) && typeof c.type === 'number' && SELECT_TYPES.has(c.type),
    );
    if (hasSelect && children.length > 1) {
      v.add(
        [...rp, 'components'],
        'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
        'The specified component exceeds the maximum width',
      );
    }
    children.forEach((c, j) => {
      if (isRecord(c)) checkInteractive(c, [...rp, 'components', j]);
    });
  });
}

export function validateAllowedMentions(v: Validator, am: unknown, path: ErrorPath): void {
  if (!isRecord(am)) {
    v.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  const parse = am.parse;
  if (parse !== undefined) {
    if (!Array.isArray(parse)) {
      v.add([...path, 'parse'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType.');
      return;
    }
    parse.forEach((p, i) => {
      if (p !== 'users' && p !== 'roles' && p !== 'everyone') {
        v.add(
          [...path, 'parse', i],
          'BASE_TYPE_CHOICES',
          "Value must be one of ('roles', 'users', 'everyone').",
        );
      }
    });
    if (parse.includes('users') && Array.isArray(am.users) && am.users.length > 0) {
      v.add(
        [...path, 'parse'],
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        'parse:["users"] and users: [ids] are mutually exclusive.',
      );
    }
    if (parse.includes('roles') && Array.isArray(am.roles) && am.roles.length > 0) {
      v.add(
        [...path, 'parse'],
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        'parse:["roles"] and roles: [ids] are mutually exclusive.',
      );
    }
  }
  checkList(v, am.users, [...path, 'users'], 100);
  checkList(v, am.roles, [...path, 'roles'], 100);
}

/** A message needs content, embeds, components, files/attachments, stickers or a poll. */
export function isEmptyMessage(m: {
  content?: unknown;
  embeds?: unknown;
  components?: unknown;
  attachments?: unknown;
  sticker_ids?: unknown;
  poll?: unknown;
}): boolean {
  const nonEmpty = (x: unknown): boolean => Array.isArray(x) && x.length > 0;
  return !(
    (typeof m.content === 'string' && m.content.length > 0) ||
    nonEmpty(m.embeds) ||
    nonEmpty(m.components) ||
    nonEmpty(m.attachments) ||
    nonEmpty(m.sticker_ids) ||
    (m.poll !== undefined && m.poll !== null)
  );
}

/** Autocomplete result (interaction callback type 8) `data`. */
export function validateAutocompleteData(v: Validator, data: unknown, path: ErrorPath): void {
  if (!isRecord(data)) {
    v.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  const choices = checkList(v, data.choices, [...path, 'choices'], 25);
  if (choices === null && data.choices === undefined) {
    v.add([...path, 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
  }
  choices?.forEach((c, i) => {
    const p = [...path, 'choices', i];
    if (!isRecord(c)) {
      v.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    checkString(v, c.name, [...p, 'name'], { max: 100, required: true });
    if (typeof c.value === 'string') checkString(v, c.value, [...p, 'value'], { max: 100 });
    else if (typeof c.value !== 'number')
      v.add([...p, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
  });
}

/** Modal (interaction callback type 9) `data`. */
export function validateModalData(v: Validator, data: unknown, path: ErrorPath): void {
  if (!isRecord(data)) {
    v.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  checkString(v, data.title, [...path, 'title'], { max: 45, required: true });
  checkString(v, data.custom_id, [...path, 'custom_id'], { max: 100, required: true });
  if (data.components === undefined || data.components === null) {
    v.add([...path, 'components'], 'BASE_TYPE_REQUIRED', 'This field is required');
  } else checkList(v, data.components, [...path, 'components'], 5, 1);
}

const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function validateCommandName(v: Validator, name: unknown, path: ErrorPath, mustBeLower: boolean): void {
  if (typeof name !== 'string') {
    v.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (!mustBeLower) {
    checkString(v, name, path, { max: 32, required: true });
    return;
  }
  if (!COMMAND_NAME.test(name) || name !== name.toLowerCase()) {
    v.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function validateCommandOptions(v: Validator, options: unknown, path: ErrorPath): void {
  const list = checkList(v, options, path, 25);
  if (!list) return;
  let sawOptional = false;
  const names = new Set<string>();
  list.forEach((o, i) => {
    const p = [...path, i];
    if (!isRecord(o)) {
      v.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    validateCommandName(v, o.name, [...p, 'name'], true);
    if (typeof o.name === 'string') {
      if (names.has(o.name))
        v.add(
          [...p, 'name'],
          'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
          'Option name already exists',
        );
      names.add(o.name);
    }
    checkString(v, o.description, [...p, 'description'], { max: 100, required: true });
    if (typeof o.type !== 'number' || o.type < 1 || o.type > 11) {
      v.add([...p, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.');
    }
    if (o.type === 1 || o.type === 2) {
      validateCommandOptions(v, o.options, [...p, 'options']);
      return;
    }
    if (o.required === true && sawOptional) {
      v.add(
        [...p, 'required'],
        'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        'Required options must be placed before non-required options',
      );
    }
    if (o.required !== true) sawOptional = true;
    const choices = checkList(v, o.choices, [...p, 'choices'], 25);
    choices?.forEach((c, k) => {
      if (!isRecord(c)) return;
      checkString(v, c.name, [...p, 'choices', k, 'name'], { max: 100, required: true });
      if (typeof c.value === 'string') checkString(v, c.value, [...p, 'choices', k, 'value'], { max: 100 });
    });
    if (o.autocomplete === true && Array.isArray(o.choices) && o.choices.length > 0) {
      v.add(
        [...p, 'autocomplete'],
        'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID',
        'Autocomplete cannot be set with choices',
      );
    }
  });
}

/** Bulk overwrite body for PUT /applications/:app/commands (and guild commands). */
export function validateCommandList(v: Validator, body: unknown): void {
  if (!Array.isArray(body)) {
    v.add([], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType.');
    return;
  }
  const list: unknown[] = body;
  const seen = new Set<string>();
  let chatInput = 0;
  list.forEach((cmd, i) => {
    if (!isRecord(cmd)) {
      v.add([i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const type = cmd.type ?? 1;
    if (type === 1) chatInput++;
    validateCommandName(v, cmd.name, [i, 'name'], type === 1);
    const key = `${String(type)}:${String(cmd.name)}`;
    if (seen.has(key))
      v.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
    seen.add(key);
    if (type === 1) {
      checkString(v, cmd.description, [i, 'description'], { max: 100, required: true });
      validateCommandOptions(v, cmd.options, [i, 'options']);
    }
  });
  if (chatInput > 100) v.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
}

/** Thread create body (from a message or standalone). */
export function validateThreadBody(v: Validator, body: unknown): void {
  if (!isRecord(body)) {
    v.add([], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    return;
  }
  checkString(v, body.name, ['name'], { max: 100, required: true });
  const d = body.auto_archive_duration;
  if (d !== undefined && d !== null && ![60, 1440, 4320, 10080].includes(d as number)) {
    v.add(['auto_archive_duration'], 'BASE_TYPE_CHOICES', 'Value must be one of {60, 1440, 4320, 10080}.');
  }
}

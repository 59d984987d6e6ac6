import { isIP } from 'node:net';

/**
 * Which IP addresses a fetched link may reach. A moderator's link is untrusted input: without this check it
 * could make the bot read the host's loopback services, the cloud metadata endpoint (169.254.169.254) or
 * the private network. Only globally routable unicast addresses are allowed; everything else is named, so
 * the refusal can say why ("127.0.0.1 is a loopback address").
 */

/** What kind of non-public address this is; used verbatim in refusal messages ("a loopback address"). */
export type AddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared (CGNAT)'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'unique-local'
  | 'site-local'
  | 'not an IP';

interface V4Range {
  base: number;
  bits: number;
  kind: AddressKind;
}

const v4 = (cidr: string, kind: AddressKind): V4Range => {
  const [ip = '', bits = '32'] = cidr.split('/');
  return { base: parseV4(ip) ?? 0, bits: Number(bits), kind };
};

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors) that are not globally reachable. */
const V4_RANGES: readonly V4Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'shared (CGNAT)'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('240.0.0.0/4', 'reserved'),
];

function parseV4(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

function classifyV4(n: number): AddressKind | null {
  for (const r of V4_RANGES) {
    const size = 2 ** (32 - r.bits);
    if (n >= r.base && n < r.base + size) return r.kind;
  }
  return null;
}

/** Eight 16-bit groups, or null when the text is not an IPv6 address. Accepts an embedded IPv4 tail. */
function parseV6(ip: string): number[] | null {
  let text = ip.replace(/%.*$/, ''); // zone id ("fe80::1%eth0") does not change the class
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    const n = parseV4(tail[1]);
    if (n === null) return null;
    text = `${text.slice(0, tail.index)}:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const head = group(halves[0] ?? '');
  const rest = halves.length === 2 ? group(halves[1] ?? '') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    out.push(Number.parseInt(g, 16));
  }
  return out;
}

const v4Of = (hi: number, lo: number): number => hi * 65536 + lo;

function classifyV6(g: readonly number[]): { kind: AddressKind; via?: string } | null {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h7 = 0, h8 = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return { kind: 'unspecified' };
  if (zeroTo(7) && h8 === 1) return { kind: 'loopback' };
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address.
  if (zeroTo(5) && f === 0xffff) return embedded(v4Of(h7, h8), 'IPv4-mapped');
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0)
    return embedded(v4Of(h7, h8), 'NAT64');
  if (a === 0x64 && b === 0xff9b && c === 1) return { kind: 'private' };
  if (zeroTo(6)) return { kind: 'reserved' }; // deprecated IPv4-compatible ::a.b.c.d
  if (a === 0x2002) return embedded(v4Of(b, c), '6to4');
  if (a === 0x2001 && b === 0x0db8) return { kind: 'documentation' };
  if (a === 0x2001 && b === 0) return { kind: 'reserved' }; // Teredo tunnels
  if ((a & 0xfe00) === 0xfc00) return { kind: 'unique-local' };
  if ((a & 0xffc0) === 0xfe80) return { kind: 'link-local' };
  if ((a & 0xffc0) === 0xfec0) return { kind: 'site-local' };
  if ((a & 0xff00) === 0xff00) return { kind: 'multicast' };
  // Only 2000::/3 is allocated as global unicast; anything else is not a web server.
  if ((a & 0xe000) !== 0x2000) return { kind: 'reserved' };
  return null;
}

function embedded(n: number, via: string): { kind: AddressKind; via: string } | null {
  const kind = classifyV4(n);
  return kind ? { kind, via } : null;
}

/** Why an address may not be fetched, or null when it is a public unicast address. */
export interface AddressVerdict {
  kind: AddressKind;
  /** "127.0.0.1 is a loopback address", "::ffff:10.0.0.1 is a private address (IPv4-mapped)". */
  reason: string;
}

/**
 * Classifies an IP address (v4 or v6, brackets and zone ids tolerated). Returns null for a public address,
 * a verdict naming the kind otherwise. Anything that is not an IP literal is refused too.
 *
 * @example checkAddress('169.254.169.254')?.reason // '169.254.169.254 is a link-local address'
 */
export function checkAddress(address: string): AddressVerdict | null {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip.replace(/%.*$/, ''));
  let found: { kind: AddressKind; via?: string } | null = null;
  if (family === 4) {
    const kind = classifyV4(parseV4(ip) ?? 0);
    found = kind ? { kind } : null;
  } else if (family === 6) {
    const groups = parseV6(ip);
    found = groups ? classifyV6(groups) : { kind: 'not an IP' };
  } else found = { kind: 'not an IP' };
  if (!found) return null;
  if (found.kind === 'not an IP') return { kind: found.kind, reason: `${ip} is not an IP address` };
  const article = /^(?:[aeio]|un[^i])/.test(found.kind) ? 'an' : 'a';
  return {
    kind: found.kind,
    reason: `${ip} is ${article} ${found.kind} address${found.via ? ` (${found.via})` : ''}`,
  };
}

/** True when two spellings name the same address ("::ffff:127.0.0.1" and "::FFFF:7f00:1", "[::1]" and "::1"). */
export function sameAddress(a: string, b: string): boolean {
  const canon = (s: string): string => {
    const ip = s.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    if (isIP(ip) === 4) return `4:${parseV4(ip)}`;
    const g = parseV6(ip);
    return g ? `6:${g.join(':')}` : `?:${ip.toLowerCase()}`;
  };
  return canon(a) === canon(b);
}

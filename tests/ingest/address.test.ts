import { describe, expect, it } from 'vitest';
import { checkAddress, sameAddress } from '../../src/ingest/address.js';

describe('checkAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback', '127.0.0.1 is a loopback address'],
    ['127.255.0.9', 'loopback', undefined],
    ['10.0.0.1', 'private', '10.0.0.1 is a private address'],
    ['172.16.5.4', 'private', undefined],
    ['172.31.255.255', 'private', undefined],
    ['192.168.1.1', 'private', undefined],
    ['169.254.169.254', 'link-local', '169.254.169.254 is a link-local address'],
    ['100.64.0.1', 'shared (CGNAT)', '100.64.0.1 is a shared (CGNAT) address'],
    ['0.0.0.0', 'unspecified', '0.0.0.0 is an unspecified address'],
    ['224.0.0.251', 'multicast', undefined],
    ['255.255.255.255', 'broadcast', undefined],
    ['240.0.0.1', 'reserved', undefined],
    ['192.0.2.10', 'documentation', undefined],
    ['198.18.0.1', 'benchmarking', undefined],
    ['::1', 'loopback', '::1 is a loopback address'],
    ['[::1]', 'loopback', '::1 is a loopback address'],
    ['::', 'unspecified', undefined],
    ['fe80::1', 'link-local', undefined],
    ['fe80::1%eth0', 'link-local', undefined],
    ['fd12:3456:789a::1', 'unique-local', 'fd12:3456:789a::1 is a unique-local address'],
    ['fc00::1', 'unique-local', undefined],
    ['fec0::1', 'site-local', undefined],
    ['ff02::1', 'multicast', undefined],
    ['2001:db8::1', 'documentation', undefined],
    ['::ffff:127.0.0.1', 'loopback', '::ffff:127.0.0.1 is a loopback address (IPv4-mapped)'],
    ['::ffff:7f00:1', 'loopback', '::ffff:7f00:1 is a loopback address (IPv4-mapped)'],
    ['::ffff:10.1.2.3', 'private', undefined],
    ['::ffff:169.254.169.254', 'link-local', undefined],
    ['64:ff9b::10.0.0.1', 'private', '64:ff9b::10.0.0.1 is a private address (NAT64)'],
    ['2002:7f00:1::', 'loopback', '2002:7f00:1:: is a loopback address (6to4)'],
    ['::127.0.0.1', 'reserved', undefined],
    ['100::1', 'reserved', undefined],
    ['example.com', 'not an IP', 'example.com is not an IP address'],
  ])('%s is %s', (ip, kind, reason) => {
    const verdict = checkAddress(ip);
    expect(verdict?.kind).toBe(kind);
    if (reason) expect(verdict?.reason).toBe(reason);
  });

  it.each([
    '93.184.216.34',
    '151.101.0.81',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2a00:1450:4009:81f::200e',
    '2606:4700::6810:84e5',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('%s is public', (ip) => {
    expect(checkAddress(ip)).toBeNull();
  });

  it('compares spellings of one address', () => {
    expect(sameAddress('::ffff:127.0.0.1', '::FFFF:7f00:1')).toBe(true);
    expect(sameAddress('[::1]', '0:0:0:0:0:0:0:1')).toBe(true);
    expect(sameAddress('127.0.0.1', '127.0.0.2')).toBe(false);
    expect(sameAddress('127.0.0.1', '::ffff:127.0.0.1')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { parseIpv6Number } from './address.js';
import { filledBuffer } from './testing/arbitraries.js';
import { hexBytes } from './testing/captured-frames.js';
import { emitIpvsSyncMessage, encodeIpvsSyncMessage, ipvsSyncMessageLength, parseIpvsSyncMessage, type IpvsSyncMessageRepr } from './ipvs-sync.js';
import { isWireError } from './wire-error.js';

// A version 1 message written field by field from ip_vs_sync.c's struct ip_vs_sync_mesg,
// ip_vs_sync_v4 and ip_vs_sync_v6 (all big-endian):
const hex = (text: string) => hexBytes(text.replace(/\s/g, ''));
const message = hex(
  // struct ip_vs_sync_mesg: reserved 0, syncid 5, size 160, nr_conns 3, version 1, spare 0
  '00 05 00a0 03 01 0000' +
    // ip_vs_sync_v4: type 0, TCP, ver_size 0|36, flags 0 (masq, active), state 1 (ESTABLISHED),
    // cport 51234, vport 80, dport 8080, fwmark 0, timeout 900 s, 203.0.113.7 10.0.0.1 192.168.10.2
    '00 06 0024 00000000 0001 c822 0050 1f90 00000000 00000384 cb007107 0a000001 c0a80a02' +
    // ip_vs_sync_v4: type 0, UDP, ver_size 0|41, flags 0x1003 (TEMPLATE, DROUTE), state 0 (NONE),
    // cport 0, vport 53, dport 53, fwmark 0, timeout 360 s, 203.0.113.0 10.0.0.2 192.168.10.3,
    // option IPVS_OPT_PE_NAME length 3 "sip", then 3 bytes of padding to the 32-bit boundary
    '00 11 0029 00001003 0000 0000 0035 0035 00000000 00000168 cb007100 0a000002 c0a80a03 03 03 736970 000000' +
    // ip_vs_sync_v6: type 1 (STYPE_F_INET6), TCP, ver_size 0|72, flags 0x100 (INACTIVE), state 5
    // (TIME_WAIT), cport 54321, vport 443, dport 443, fwmark 7, timeout 120 s,
    // 2001:db8::7 2001:db8::1 2001:db8:1::2
    '01 06 0048 00000100 0005 d431 01bb 01bb 00000007 00000078' +
    '20010db8000000000000000000000007 20010db8000000000000000000000001 20010db8000100000000000000000002',
);

const v4 = (text: string) => ({ family: 4 as const, v4: text.split('.').reduce((a, b) => a * 256 + Number(b), 0) });
const v6 = (text: string) => ({ family: 6 as const, v6: parseIpv6Number(text)! });

const repr: IpvsSyncMessageRepr = {
  syncId: 5,
  connections: [
    { protocol: 6, flags: 0, state: 1, cport: 51234, vport: 80, dport: 8080, fwmark: 0, timeout: 900, caddr: v4('203.0.113.7'), vaddr: v4('10.0.0.1'), daddr: v4('192.168.10.2'), options: new Uint8Array(0) },
    { protocol: 17, flags: 0x1003, state: 0, cport: 0, vport: 53, dport: 53, fwmark: 0, timeout: 360, caddr: v4('203.0.113.0'), vaddr: v4('10.0.0.2'), daddr: v4('192.168.10.3'), options: Uint8Array.of(3, 3, 0x73, 0x69, 0x70) },
    { protocol: 6, flags: 0x100, state: 5, cport: 54321, vport: 443, dport: 443, fwmark: 7, timeout: 120, caddr: v6('2001:db8::7'), vaddr: v6('2001:db8::1'), daddr: v6('2001:db8:1::2'), options: new Uint8Array(0) },
  ],
};

describe('IPVS sync messages (version 1)', () => {
  it('has the kernel struct sizes: an 8-byte header, 36-byte IPv4 and 72-byte IPv6 entries, padding before the next entry only', () => {
    expect(message.length).toBe(160);
    expect(ipvsSyncMessageLength(repr)).toBe(160);
    expect(ipvsSyncMessageLength({ syncId: 0, connections: [repr.connections[1]!] })).toBe(8 + 41);
  });

  it('parses a message into records', () => {
    expect(parseIpvsSyncMessage(message)).toEqual(repr);
  });

  it('emits records into a buffer pre-filled with 0xa5 (padding written as zeros)', () => {
    const buffer = filledBuffer(160);
    expect(emitIpvsSyncMessage(repr, buffer)).toBe(160);
    expect(buffer).toEqual(message);
    expect(encodeIpvsSyncMessage(repr)).toEqual(message);
  });

  it('drops a message whose size field differs from the datagram, as ip_vs_process_message does', () => {
    expect(parseIpvsSyncMessage(message.subarray(0, 159))).toEqual({ error: 'badLength' });
    expect(parseIpvsSyncMessage(message.subarray(0, 3))).toEqual({ error: 'truncated' });
  });

  it('reads a version 0 message (first byte nr_conns, no version byte) as unsupported', () => {
    const v0 = message.slice();
    v0[0] = 3;
    expect(parseIpvsSyncMessage(v0)).toEqual({ error: 'unsupported' });
    const v2 = message.slice();
    v2[5] = 2;
    expect(parseIpvsSyncMessage(v2)).toEqual({ error: 'unsupported' });
  });

  it('drops the whole message for an entry running past it, of another version, of an unknown type or with options that cannot be walked', () => {
    const long = message.slice();
    long[8 + 36 + 3] = 200; // second entry's size past the end
    expect(parseIpvsSyncMessage(long)).toEqual({ error: 'truncated' });
    const version = message.slice();
    version[8 + 2] = 0x10; // first entry's ver_size: version 1
    expect(parseIpvsSyncMessage(version)).toEqual({ error: 'unsupported' });
    const type = message.slice();
    type[8] = 2;
    expect(parseIpvsSyncMessage(type)).toEqual({ error: 'unsupported' });
    const option = message.slice();
    option[8 + 36 + 36 + 1] = 4; // PE_NAME length 4 runs past the entry's 41 bytes
    expect(parseIpvsSyncMessage(option)).toEqual({ error: 'badOption' });
    const zero = message.slice();
    zero[8 + 36 + 36 + 1] = 0;
    expect(parseIpvsSyncMessage(zero)).toEqual({ error: 'badOption' });
    const short = message.slice();
    short[8 + 3] = 20; // an IPv4 entry of 20 bytes
    expect(isWireError(parseIpvsSyncMessage(short))).toBe(true);
  });

  it('round-trips a full message of 40 IPv4 entries (1448 bytes, what fits the master default maxlen of 1472)', () => {
    const many: IpvsSyncMessageRepr = { syncId: 255, connections: Array.from({ length: 40 }, (_, i) => ({ ...repr.connections[0]!, cport: 1024 + i })) };
    const bytes = encodeIpvsSyncMessage(many);
    expect(bytes.length).toBe(1448);
    expect(parseIpvsSyncMessage(bytes)).toEqual(many);
  });
});

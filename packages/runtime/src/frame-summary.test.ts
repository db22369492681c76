/**
 * summarizeFrame on IPv6 with extension headers, whole frames (tx, rx) and the bare IP packets the
 * stack's forward, deliver and drop events carry: both read as tcpdump -n prints the frame. The
 * frames are Linux 6.18's, captured with tcpdump 4.99.3 (wire's testing/captured-ipv6-frames.ts
 * has them with how they were made), except the fragment, built here and read by tcpdump 4.99.3
 * as the line below.
 */
import { describe, expect, it } from 'vitest';
import { summarizeFrame } from './frame-summary.js';

const frames: { name: string; hex: string; tcpdump: string }[] = [
  {
    name: 'MLDv2 report behind a hop-by-hop header',
    hex: '33330000001602000000000186dd60000000004c0001fe80000000000000000000fffe000001ff0200000000000000000000000000163a000502000001008f006db20000000304000000ff0200000000000000000001ff00001104000000ff0200000000000000000001ff00001004000000ff0200000000000000000001ff000001',
    tcpdump: 'IP6 fe80::ff:fe00:1 > ff02::16: HBH ICMP6, multicast listener report v2, 3 group record(s), length 68',
  },
  {
    name: 'UDP behind a destination options header (home address option)',
    hex: '02000000000302000000000186dd600df14200283c4020010db800000000000000000000000120010db8000000000000000000000003110201020000c91020010db8000500000000000000000001138b000900107fb34444444444444444',
    tcpdump: 'IP6 2001:db8::1 > 2001:db8::3: DSTOPT 5003 > 9: UDP, length 8',
  },
  {
    name: 'echo request behind a type 2 routing header',
    hex: '02000000000302000000000186dd6000000000302b4020010db800000000000000000000000120010db80000000000000000000000033a0202010000000020010db80005000000000000000000018000fed842420001686f6d652d616464726573732d726832',
    tcpdump: 'IP6 2001:db8::1 > 2001:db8::3: RT6 (len=2, type=2, segleft=1, [0]2001:db8:5::1) ICMP6, echo request, id 16962, seq 1, length 24',
  },
  {
    name: 'a non-first fragment',
    hex: '02000000000202000000000186dd6000000000182c4020010db800000000000000000000001120010db80009000000000000000000023a0004e0a9f6ed29000102030405060708090a0b0c0d0e0f',
    tcpdump: 'IP6 2001:db8::11 > 2001:db8:9::2: frag (1248|16)',
  },
];

describe('summarizeFrame on IPv6 extension headers', () => {
  for (const frame of frames) {
    it(`describes ${frame.name} as tcpdump does, as a frame and as a bare packet`, () => {
      const bytes = Uint8Array.from(Buffer.from(frame.hex, 'hex'));
      expect(summarizeFrame(bytes)).toBe(frame.tcpdump);
      expect(summarizeFrame(bytes.subarray(14))).toBe(frame.tcpdump);
    });
  }
});

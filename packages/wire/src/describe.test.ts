/**
 * describeFrame against tcpdump. The expected lines are tcpdump 4.99.3's own output
 * (`tcpdump -n -r` for real captures, `tcpdump -n -S -r` for built frames): see
 * testing/captured-frames.ts (namespaces a, r, b, c on veths and a bridge, private addresses)
 * and testing/crafted-frames.ts for how each was obtained. When tcpdump is installed the last
 * test writes every fixture frame to a pcap and checks the stored lines against it again (without
 * tcpdump it is skipped, saying so, or fails under CI=true).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildArpFrame, buildIpv4Frame, buildIpv6Frame } from './builders.js';
import { EXTENSION_HEADER_PROTOCOL, emitIpv6ExtensionHeaders, ipv6ExtensionHeaderLength } from './ipv6-extension-headers.js';
import { describeFrame } from './describe.js';
import { ethernetReprArb, ipv4ReprArb, ipv6ExtensionHeaderArb } from './testing/arbitraries.js';
import { captured, hexBytes } from './testing/captured-frames.js';
import { capturedIpv6 } from './testing/captured-ipv6-frames.js';
import { capturedTcp } from './testing/captured-tcp-segments.js';
import { crafted, type DescribedFrame } from './testing/crafted-frames.js';
import { pcapOf } from './testing/pcap-file.js';
import { needs } from './testing/test-environment.js';

const line = (hex: string): string => describeFrame(hexBytes(hex));

describe('describeFrame, one line kind at a time', () => {
  it('describes an ARP request', () => {
    expect(line(captured.arpRequest.hex)).toBe('ARP, Request who-has 10.0.0.254 tell 10.0.0.1, length 28');
  });

  it('describes an ARP request that names the target MAC', () => {
    expect(line(crafted.arpRequestWithTargetMac.hex)).toBe(
      'ARP, Request who-has 10.0.0.254 (02:00:00:00:00:02) tell 10.0.0.1, length 28',
    );
  });

  it('describes an ARP reply', () => {
    expect(line(captured.arpReply.hex)).toBe('ARP, Reply 10.0.0.254 is-at 02:00:00:00:00:02, length 28');
  });

  it('counts Ethernet padding in the ARP length, as tcpdump does', () => {
    expect(line(crafted.arpPadded.hex)).toBe('ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 46');
  });

  it('describes an ICMP echo request and reply', () => {
    expect(line(captured.icmpEchoRequest.hex)).toBe('IP 10.0.0.1 > 10.0.0.254: ICMP echo request, id 13855, seq 1, length 64');
    expect(line(captured.icmpEchoReply.hex)).toBe('IP 10.0.0.254 > 10.0.0.1: ICMP echo reply, id 13855, seq 1, length 64');
  });

  it('describes time exceeded with the length of the whole ICMP message', () => {
    expect(line(captured.icmpTimeExceeded.hex)).toBe('IP 10.0.0.254 > 10.0.0.1: ICMP time exceeded in-transit, length 92');
    expect(line(crafted.reassemblyTimeExceeded.hex)).toBe('IP 10.0.1.254 > 10.0.0.1: ICMP ip reassembly time exceeded, length 36');
  });

  it('describes a redirect with the quoted destination and the gateway', () => {
    expect(line(captured.icmpRedirectHost.hex)).toBe('IP 10.0.0.254 > 10.0.0.1: ICMP redirect 10.9.0.1 to host 10.0.0.3, length 92');
    expect(line(crafted.redirectNet.hex)).toBe('IP 10.0.1.254 > 10.0.0.1: ICMP redirect 10.0.9.2 to net 10.0.0.3, length 36');
  });

  it('describes destination unreachable: net, host, port, protocol, fragmentation needed', () => {
    expect(line(captured.icmpNetUnreachable.hex)).toBe('IP 10.0.0.254 > 10.0.0.1: ICMP net 172.16.0.1 unreachable, length 92');
    expect(line(captured.icmpHostUnreachable.hex)).toBe('IP 10.0.0.254 > 10.0.0.1: ICMP host 10.0.1.99 unreachable, length 92');
    expect(line(captured.icmpPortUnreachable.hex)).toBe('IP 10.0.9.2 > 10.0.0.1: ICMP 10.0.9.2 udp port 33435 unreachable, length 68');
    expect(line(captured.icmpProtocolUnreachable.hex)).toBe('IP 10.0.9.2 > 10.0.0.1: ICMP 10.0.9.2 protocol 200 unreachable, length 44');
    expect(line(captured.icmpFragmentationNeeded.hex)).toBe(
      'IP 10.0.0.254 > 10.0.0.1: ICMP 10.0.9.2 unreachable - need to frag (mtu 1300), length 556',
    );
  });

  it('describes a parameter problem with its pointer', () => {
    expect(line(crafted.paramProblem.hex)).toBe('IP 10.0.1.254 > 10.0.0.1: ICMP parameter problem - octet 1, length 36');
  });

  it('describes UDP with ports appended to the addresses', () => {
    expect(line(captured.udpToClosedPort.hex)).toBe('IP 10.0.0.1.33434 > 10.0.9.2.33435: UDP, length 32');
    expect(line(crafted.udpBadLength.hex)).toBe('IP 10.0.0.1.33434 > 10.0.9.2.33435: UDP, bad length 192 > 32');
  });

  it('describes TCP segments with flags, absolute sequence numbers and options', () => {
    expect(line(crafted.tcpSyn.hex)).toBe(
      'IP 10.0.0.1.40000 > 10.0.9.2.80: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
    );
    expect(line(crafted.tcpFinAck.hex)).toBe('IP 10.0.0.1.40000 > 10.0.9.2.80: Flags [F.], seq 1101, ack 5001, win 502, length 0');
  });

  it('describes fragments: the first by its header, later ones as ip-proto-N', () => {
    expect(line(captured.icmpEchoRequestFirstFragment.hex)).toBe(
      'IP 10.0.0.1 > 10.0.9.2: ICMP echo request, id 13861, seq 1, length 1280',
    );
    expect(line(captured.icmpEchoRequestLastFragment.hex)).toBe('IP 10.0.0.1 > 10.0.9.2: ip-proto-1');
  });

  it('describes unknown IP protocols and IP-in-IP', () => {
    expect(line(captured.ipProto200.hex)).toBe('IP 10.0.0.1 > 10.0.9.2:  ip-proto-200 16');
    expect(line(crafted.ipip.hex)).toBe(
      'IP 10.0.0.1 > 10.0.9.2: IP 10.0.0.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64',
    );
  });

  it('describes IPv6: NDP, echo, UDP, errors and extension headers', () => {
    expect(line(captured.ndpNeighborSolicitation.hex)).toBe(
      'IP6 2001:db8::1 > ff02::1:ff00:3: ICMP6, neighbor solicitation, who has 2001:db8::3, length 32',
    );
    expect(line(captured.icmp6EchoRequest.hex)).toBe('IP6 2001:db8::1 > 2001:db8::3: ICMP6, echo request, id 13931, seq 1, length 64');
    expect(line(captured.udp6ToClosedPort.hex)).toBe('IP6 2001:db8::1.5000 > 2001:db8::3.6000: UDP, length 16');
    expect(line(captured.icmp6PortUnreachable.hex)).toBe(
      'IP6 2001:db8::3 > 2001:db8::1: ICMP6, destination unreachable, unreachable port, 2001:db8::3 udp port 6000, length 72',
    );
    expect(line(captured.mldv2ReportHopByHop.hex)).toBe(
      'IP6 fe80::ff:fe00:1 > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28',
    );
    expect(line(crafted.v6Fragment.hex)).toBe('IP6 2001:db8::1 > 2001:db8::3: frag (0|16) 5000 > 6000: UDP, length 8');
    expect(line(crafted.v6PacketTooBig.hex)).toBe('IP6 2001:db8::1 > 2001:db8::3: ICMP6, packet too big, mtu 1280, length 56');
  });

  it('describes NDP, MLD and routing headers (type 2 for Mobile IPv6) as tcpdump does', () => {
    expect(line(capturedIpv6.ndpRedirect.hex)).toBe(
      'IP6 fe80::ff:fe00:2 > 2001:db8::11: ICMP6, redirect, 2001:db8:8::1 to fe80::ff:fe00:3, length 152',
    );
    expect(line(capturedIpv6.ndpDadSolicitation.hex)).toBe(
      'IP6 :: > ff02::1:ff00:11: ICMP6, neighbor solicitation, who has 2001:db8::11, length 32',
    );
    expect(line(capturedIpv6.mldv2Query.hex)).toMatch(/: HBH ICMP6, multicast listener query v2 \[gaddr ::\], length 28$/);
    expect(line(crafted.mldv1Report.hex)).toBe(
      'IP6 fe80::ff:fe00:1 > ff02::1:ff00:3: ICMP6, multicast listener reportmax resp delay: 0 addr: ff02::1:ff00:3, length 24',
    );
    expect(line(capturedIpv6.echoRequestRoutingType2.hex)).toBe(
      'IP6 2001:db8::1 > 2001:db8::3: RT6 (len=2, type=2, segleft=1, [0]2001:db8:5::1) ICMP6, echo request, id 16962, seq 1, length 24',
    );
    expect(line(capturedIpv6.udp6HomeAddressOption.hex)).toBe('IP6 2001:db8::1 > 2001:db8::3: DSTOPT 5003 > 9: UDP, length 8');
  });

  it('describes TCP segments as tcpdump -S does: flags, absolute seq and ack, win, options, SACK blocks', () => {
    expect(line(capturedTcp.syn6Ecn.hex)).toBe(
      'IP6 2001:db8::1.60966 > 2001:db8::2.5006: Flags [SEW], seq 3826635336, win 64800, options [mss 1440,sackOK,TS val 2296902472 ecr 0,nop,wscale 10], length 0',
    );
    expect(line(capturedTcp.data.hex)).toBe(
      'IP 10.0.0.1.57568 > 10.0.0.2.5000: Flags [P.], seq 391075805:391075810, ack 3018623676, win 63, options [nop,nop,TS val 2542131428 ecr 4094897052], length 5',
    );
    expect(line(capturedTcp.sackTwoBlocks.hex)).toMatch(/nop,nop,sack 2 \{1349416839:1349417039\}\{1349416839:1349417039\}\], length 0$/);
    expect(line(capturedTcp.resetClosedPort.hex)).toBe('IP 10.0.0.2.5001 > 10.0.0.1.47132: Flags [R.], seq 0, ack 3337192685, win 0, length 0');
  });

  it('ignores an 802.1Q tag, as tcpdump without -e does', () => {
    expect(line(crafted.vlanIcmp.hex)).toBe('IP 10.0.0.1 > 10.0.9.2: ICMP echo request, id 1, seq 1, length 64');
  });

  it('describes malformed frames as such', () => {
    expect(line(crafted.ethTruncated.hex)).toBe('[malformed: truncated Ethernet header]');
    expect(line(crafted.ipTruncatedHeader.hex)).toBe('[malformed: truncated IPv4 header]');
    expect(line(crafted.ipTotalLengthBeyond.hex)).toBe('[malformed: truncated IPv4 packet, 34 bytes missing]');
    expect(line(crafted.ipBadIhl.hex)).toBe('[malformed: bad IPv4 header length 12]');
    expect(line(crafted.icmpTruncated.hex)).toBe('IP 10.0.0.1 > 10.0.9.2: [malformed: truncated ICMP header]');
    expect(line(crafted.v6Truncated.hex)).toBe('[malformed: truncated IPv6 header]');
  });
});

describe('describeFrame against every fixture', () => {
  it('prints exactly what tcpdump printed for every captured frame', () => {
    for (const [name, frame] of Object.entries({ ...captured, ...capturedIpv6, ...capturedTcp })) expect(line(frame.hex), name).toBe(frame.tcpdump);
  });

  it('prints what tcpdump printed for every built frame, or the documented netloom line', () => {
    for (const [name, frame] of Object.entries(crafted) as [string, DescribedFrame][]) {
      expect(line(frame.hex), name).toBe(frame.netloom?.line ?? frame.tcpdump);
    }
  });

  it('never throws on IPv6 frames with random extension header chains and random upper layers', () => {
    fc.assert(
      fc.property(fc.array(ipv6ExtensionHeaderArb, { maxLength: 4 }), fc.uint8Array({ maxLength: 60 }), fc.integer({ min: 0, max: 80 }), (headers, upper, cut) => {
        const length = headers.reduce((sum, header) => sum + ipv6ExtensionHeaderLength(header), 0);
        const payload = new Uint8Array(length + upper.length);
        emitIpv6ExtensionHeaders(headers, payload, 0);
        payload.set(upper, length);
        const first = headers[0] === undefined ? 58 : EXTENSION_HEADER_PROTOCOL[headers[0].kind];
        const frame = buildIpv6Frame(new Uint8Array(6), new Uint8Array(6), { source: new Uint8Array(16), destination: new Uint8Array(16), nextHeader: first }, payload);
        void describeFrame(frame);
        void describeFrame(frame.subarray(0, Math.max(0, frame.length - cut)));
      }),
    );
  });

  it('never throws, on arbitrary bytes or on valid frames cut short anywhere', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100, size: 'max' }), (bytes) => void describeFrame(bytes)));
    const frames = [...Object.values(captured), ...Object.values(capturedIpv6), ...Object.values(capturedTcp), ...Object.values(crafted)].map((frame) => hexBytes(frame.hex));
    for (const frame of frames) for (let end = 0; end <= frame.length; end++) describeFrame(frame.subarray(0, end));
    fc.assert(
      fc.property(ethernetReprArb, ipv4ReprArb, fc.constantFrom(0x0800, 0x86dd, 0x0806), (ethernet, ip, ethertype) => {
        void describeFrame(buildIpv4Frame(ethernet.destination, ethernet.source, ip, ip.payload));
        void describeFrame(
          buildArpFrame({ operation: ip.ttl, senderMac: ethernet.source, senderIp: ip.source, targetMac: ethernet.destination, targetIp: ip.destination }),
        );
        const frame = new Uint8Array(14 + ethernet.payload.length);
        frame.set(ethernet.payload, 14);
        frame[12] = ethertype >>> 8;
        frame[13] = ethertype & 0xff;
        if (frame.length > 14) frame[14] = ethertype === 0x86dd ? 0x60 : 0x45;
        void describeFrame(frame);
      }),
    );
  });
});

describe('the fixtures against a live tcpdump', () => {
  needs({ tools: ['tcpdump'] }).it('tcpdump -n -S still prints the stored line for every fixture frame', () => {
    const fixtures = [...Object.values(captured), ...Object.values(capturedIpv6), ...Object.values(capturedTcp), ...Object.values(crafted)] as { hex: string; tcpdump: string }[];
    const directory = mkdtempSync(join(tmpdir(), 'netloom-wire-'));
    try {
      const file = join(directory, 'fixtures.pcap');
      writeFileSync(file, pcapOf(fixtures.map((fixture) => hexBytes(fixture.hex))));
      const output = execFileSync('tcpdump', ['-n', '-S', '-r', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      const lines = output
        .split('\n')
        .filter((text) => /^\d\d:\d\d:\d\d\.\d{6} /.test(text))
        .map((text) => text.replace(/^\S+ /, ''));
      expect(lines).toEqual(fixtures.map((fixture) => fixture.tcpdump));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

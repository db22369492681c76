/**
 * Real TCP segments captured with tcpdump 4.99.3 on Linux 6.18, with the line `tcpdump -n -S -r`
 * (absolute sequence numbers) printed for each (timestamp removed); obtained by
 * fixtures/capture-linux-tcp-segments.sh: namespaces wtcp-a (02:00:00:00:00:01, 10.0.0.1,
 * 2001:db8::1) and wtcp-b (02:00:00:00:00:02, 10.0.0.2, 2001:db8::2) on a veth pair, transmit
 * checksum offload off, python3 sockets, captured on a:eth0. Every checksum is Linux's. The
 * segments were picked from the script's pcap by their tcpdump line (a rerun draws new sequence
 * numbers, timestamps and ports; the SACK pair depends on when Linux retransmits).
 */
import type { CapturedFrame } from './captured-frames.js';

export const capturedTcp = {
  /** a's SYN: mss 1460, sackOK, timestamps, nop, wscale 10 (Linux's order). */
  syn: {
    tcpdump: 'IP 10.0.0.1.57568 > 10.0.0.2.5000: Flags [S], seq 391075804, win 64240, options [mss 1460,sackOK,TS val 2542131428 ecr 0,nop,wscale 10], length 0',
    hex: '02000000000202000000000108004500003c1f994000400607210a0000010a000002e0e01388174f57dc00000000a002faf0650b0000020405b40402080a9785d8e4000000000103030a',
  },
  /** b's SYN-ACK with the same options. */
  synAck: {
    tcpdump: 'IP 10.0.0.2.5000 > 10.0.0.1.57568: Flags [S.], seq 3018623675, ack 391075805, win 65160, options [mss 1460,sackOK,TS val 4094897052 ecr 2542131428,nop,wscale 10], length 0',
    hex: '02000000000102000000000208004500003c00004000400626ba0a0000020a0000011388e0e0b3ec8abb174f57dda012fe88030a0000020405b40402080af4132b9c9785d8e40103030a',
  },
  /** a's ACK of the SYN-ACK: nop, nop, timestamps. */
  ack: {
    tcpdump: 'IP 10.0.0.1.57568 > 10.0.0.2.5000: Flags [.], ack 3018623676, win 63, options [nop,nop,TS val 2542131428 ecr 4094897052], length 0',
    hex: '0200000000020200000000010800450000341f9a4000400607280a0000010a000002e0e01388174f57ddb3ec8abc8010003f302300000101080a9785d8e4f4132b9c',
  },
  /** a's 5 bytes 'hello' with PSH. */
  data: {
    tcpdump: 'IP 10.0.0.1.57568 > 10.0.0.2.5000: Flags [P.], seq 391075805:391075810, ack 3018623676, win 63, options [nop,nop,TS val 2542131428 ecr 4094897052], length 5',
    hex: '0200000000020200000000010800450000391f9b4000400607220a0000010a000002e0e01388174f57ddb3ec8abc8018003fec4300000101080a9785d8e4f4132b9c68656c6c6f',
  },
  /** send(b'!', MSG_OOB): URG with urgent pointer 1. */
  urgent: {
    tcpdump: 'IP 10.0.0.1.57568 > 10.0.0.2.5000: Flags [P.U], seq 391075810:391075811, ack 3018623681, win 63, urg 1, options [nop,nop,TS val 2542131729 ecr 4094897052], length 1',
    hex: '0200000000020200000000010800450000351f9d4000400607240a0000010a000002e0e01388174f57e2b3ec8ac18038003f0dc200010101080a9785da11f4132b9c21',
  },
  /** a's FIN after shutdown(SHUT_WR). */
  fin: {
    tcpdump: 'IP 10.0.0.1.57568 > 10.0.0.2.5000: Flags [F.], seq 391075811, ack 3018623681, win 63, options [nop,nop,TS val 2542132029 ecr 4094897396], length 0',
    hex: '0200000000020200000000010800450000341f9e4000400607240a0000010a000002e0e01388174f57e3b3ec8ac18011003f2c6600000101080a9785db3df4132cf4',
  },
  /** b's answer to a SYN for a closed port: RST+ACK, seq 0, no options. */
  resetClosedPort: {
    tcpdump: 'IP 10.0.0.2.5001 > 10.0.0.1.47132: Flags [R.], seq 0, ack 3337192685, win 0, length 0',
    hex: '02000000000102000000000208004500002800004000400626ce0a0000020a0000011389b81c00000000c6e984ed5014000084510000',
  },
  /** IPv6 SYN with net.ipv4.tcp_ecn=1: ECE and CWR set, mss 1440. */
  syn6Ecn: {
    tcpdump: 'IP6 2001:db8::1.60966 > 2001:db8::2.5006: Flags [SEW], seq 3826635336, win 64800, options [mss 1440,sackOK,TS val 2296902472 ecr 0,nop,wscale 10], length 0',
    hex: '02000000000202000000000186dd600aa6210028064020010db800000000000000000000000120010db8000000000000000000000002ee26138ee415d24800000000a0c2fd20ba770000020405a00402080a88e7f348000000000103030a',
  },
  /** b's IPv6 SYN-ACK accepting ECN: ECE. */
  synAck6Ecn: {
    tcpdump: 'IP6 2001:db8::2.5006 > 2001:db8::1.60966: Flags [S.E], seq 4035800373, ack 3826635337, win 64260, options [mss 1440,sackOK,TS val 1966887915 ecr 2296902472,nop,wscale 10], length 0',
    hex: '02000000000102000000000286dd6002ab290028064020010db800000000000000000000000220010db8000000000000000000000001138eee26f08d6d35e415d249a052fb0496170000020405a00402080a753c53eb88e7f3480103030a',
  },
  /** a's 6 bytes 'hello6' over IPv6. */
  data6: {
    tcpdump: 'IP6 2001:db8::1.60966 > 2001:db8::2.5006: Flags [P.], seq 3826635337:3826635343, ack 4035800374, win 64, options [nop,nop,TS val 2296902472 ecr 1966887915], length 6',
    hex: '02000000000202000000000186dd602aa6210026064020010db800000000000000000000000120010db8000000000000000000000002ee26138ee415d249f08d6d36801800407bc100000101080a88e7f348753c53eb68656c6c6f36',
  },
  /** b's duplicate ACK after the first 1200-byte segment was dropped: one SACK block. */
  sackOneBlock: {
    tcpdump: 'IP 10.0.0.2.5100 > 10.0.0.1.36338: Flags [.], ack 1349414239, win 64, options [nop,nop,TS val 4223756127 ecr 3973098899,nop,nop,sack 1 {1349416839:1349417039}], length 0',
    hex: '0200000000010200000000020800450000405de040004006c8d50a0000020a00000113ec8df25f685c91506e6d5fb0100040828400000101080afbc1675fecd0ad930101050a506e7787506e784f',
  },
  /** b's duplicate ACK after a duplicate arrived: a D-SACK block then the SACK block (RFC 2883). */
  sackTwoBlocks: {
    tcpdump: 'IP 10.0.0.2.5100 > 10.0.0.1.36338: Flags [.], ack 1349414239, win 64, options [nop,nop,TS val 4223756135 ecr 3973098899,nop,nop,sack 2 {1349416839:1349417039}{1349416839:1349417039}], length 0',
    hex: '0200000000010200000000020800450000485de140004006c8cc0a0000020a00000113ec8df25f685c91506e6d5fd0100040d1b800000101080afbc16767ecd0ad9301010512506e7787506e784f506e7787506e784f',
  },
} satisfies Record<string, CapturedFrame>;

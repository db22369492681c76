/**
 * Mobility Header frames built by scapy 2.5.0 (Debian python3-scapy) with
 * fixtures/build-mobility-frames.py, each with the line `tcpdump -n -r` (4.99.3) printed for it
 * (timestamp removed). scapy is the outside reference for the layout and for the checksum over
 * the home address (RFC 6275 §6.1.1): Linux sends Mobility Headers only with CONFIG_IPV6_MIP6 and
 * a mobility daemon, neither at hand. MN 02:00:00:00:00:01, HA side 02:00:00:00:00:02; home
 * address 2001:db8:1::100, HA 2001:db8:1::1, CoAs 2001:db8:2::100 and 2001:db8:3::100, CN
 * 2001:db8:9::9.
 */
import type { CapturedFrame } from './captured-frames.js';

export const capturedMobility = {
  /** MN 2001:db8:2::100 (CoA) to its HA: HAO 2001:db8:1::100, A and H, lifetime 250 units, BIDs 1 and 2 each with its IPv6 CoA (bulk registration). */
  bindingUpdateBulk: {
    tcpdump: 'IP6 2001:db8:2::100 > 2001:db8:1::1: DSTOPT mobility: BU seq#=7 AH lifetime=1000',
    hex: '02000000000202000000000186dd6000000000503c4020010db800020000000000000000010020010db8000100000000000000000001870201020000c91020010db80001000000000000000001003b060500fe200007c00000fa23140001000020010db800020000000000000000010023140002000020010db8000300000000000000000100',
  },
  /** A refresh of BID 1 alone, no CoA in the option (the source is the CoA); PadN 4 to the 8-octet multiple. */
  bindingUpdateOneBid: {
    tcpdump: 'IP6 2001:db8:2::100 > 2001:db8:1::1: DSTOPT mobility: BU seq#=8 AH lifetime=1000',
    hex: '02000000000202000000000186dd6000000000303c4020010db800020000000000000000010020010db8000100000000000000000001870201020000c91020010db80001000000000000000001003b0205007ddd0008c00000fa230400010000010400000000',
  },
  /** A home registration naming 2001:db8:3::100 in an Alternate CoA option (aligned 8n+6 by a PadN of 0). */
  bindingUpdateAlternateCoa: {
    tcpdump: 'IP6 2001:db8:2::100 > 2001:db8:1::1: DSTOPT mobility: BU seq#=9 AH lifetime=1000',
    hex: '02000000000202000000000186dd6000000000383c4020010db800020000000000000000010020010db8000100000000000000000001870201020000c91020010db80001000000000000000001003b0305006f100009c00000fa0100031020010db8000300000000000000000100',
  },
  /** The HA's BA to the CoA through a type 2 routing header (the checksum's destination is the HoA), BIDs 1 and 2 copied with status 0. */
  bindingAcknowledgement: {
    tcpdump: 'IP6 2001:db8:1::1 > 2001:db8:2::100: RT6 (len=2, type=2, segleft=1, [0]2001:db8:1::100) mobility: BA status=0 seq#=7 lifetime=1000',
    hex: '02000000000202000000000186dd6000000000302b4020010db800010000000000000000000120010db8000200000000000000000100870202010000000020010db80001000000000000000001003b0206001add0000000700fa230400010000230400020000',
  },
  /** The HA asks the HoA for a new BU. */
  bindingRefreshRequest: {
    tcpdump: 'IP6 2001:db8:1::1 > 2001:db8:1::100: mobility: BRR',
    hex: '02000000000202000000000186dd600000000008874020010db800010000000000000000000120010db80001000000000000000001003b00000067fb0000',
  },
  /** Status 2 (unrecognised MH type) about 2001:db8:1::100. */
  bindingError: {
    tcpdump: 'IP6 2001:db8:1::1 > 2001:db8:2::100: mobility: BE status=2 homeaddr 2001:db8:1::100',
    hex: '02000000000202000000000186dd600000000018874020010db800010000000000000000000120010db80002000000000000000001003b020700302e020020010db8000100000000000000000100',
  },
  /** Return routability through the HA tunnel: home init cookie 01..08. */
  homeTestInit: {
    tcpdump: 'IP6 2001:db8:1::100 > 2001:db8:9::9: mobility: HoTI',
    hex: '02000000000202000000000186dd600000000010874020010db800010000000000000000010020010db80009000000000000000000093b01010056ce00000102030405060708',
  },
  /** From the CoA: care-of init cookie 11..18. */
  careOfTestInit: {
    tcpdump: 'IP6 2001:db8:2::100 > 2001:db8:9::9: mobility: CoTI',
    hex: '02000000000202000000000186dd600000000010874020010db800020000000000000000010020010db80009000000000000000000093b010200158d00001112131415161718',
  },
  /** The CN's answer: home nonce index 0x1234, cookie, home keygen token a1..a8. */
  homeTest: {
    tcpdump: 'IP6 2001:db8:9::9 > 2001:db8:1::100: mobility: HoT nonce id=0x1234',
    hex: '02000000000202000000000186dd600000000018874020010db800090000000000000000000920010db80001000000000000000001003b020300affa12340102030405060708a1a2a3a4a5a6a7a8',
  },
  /** Care-of nonce index 0x5678, cookie, care-of keygen token b1..b8. */
  careOfTest: {
    tcpdump: 'IP6 2001:db8:9::9 > 2001:db8:2::100: mobility: CoT nonce id=0x5678',
    hex: '02000000000202000000000186dd600000000018874020010db800090000000000000000000920010db80002000000000000000001003b020400ea3456781112131415161718b1b2b3b4b5b6b7b8',
  },
  /** A BU to a CN (A only): Binding Refresh Advice 60, Nonce Indices 0x1234/0x5678, Binding Authorization Data of 12 bytes. */
  bindingUpdateCorrespondent: {
    tcpdump: 'IP6 2001:db8:2::100 > 2001:db8:9::9: DSTOPT mobility: BU seq#=3 A lifetime=400',
    hex: '02000000000202000000000186dd6000000000403c4020010db800020000000000000000010020010db8000900000000000000000009870201020000c91020010db80001000000000000000001003b040500e8de0003800000640202003c04041234567801020000050cc0c0c0c0c0c0c0c0c0c0c0c0',
  },
  /** The bulk BU with the seed's fault: its checksum computed with the CoA, not the HoA, as the pseudo-header source. */
  bindingUpdateChecksumOverCareOf: {
    tcpdump: 'IP6 2001:db8:2::100 > 2001:db8:1::1: DSTOPT mobility: BU seq#=7 AH lifetime=1000',
    hex: '02000000000202000000000186dd6000000000503c4020010db800020000000000000000010020010db8000100000000000000000001870201020000c91020010db80001000000000000000001003b060500fe1f0007c00000fa23140001000020010db800020000000000000000010023140002000020010db8000300000000000000000100',
  },
} satisfies Record<string, CapturedFrame>;

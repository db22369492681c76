/**
 * @netloom/wire — packet formats: parse bytes into plain records, emit records into bytes,
 * checksums, address helpers and a tcpdump-like one-line description. No I/O, no clock, no
 * randomness. Only wire knows byte offsets; the stack works on the records and views below.
 */
export { isWireError, type WireError, type WireErrorKind } from './wire-error.js';
export {
  parseIpv4,
  formatIpv4,
  prefixMask,
  isInPrefix,
  maskPrefixLength,
  parseCidr4,
  readIpv4,
  writeIpv4,
  parseMac,
  formatMac,
  isBroadcastMac,
  isMulticastMac,
  macEquals,
  MAC_BROADCAST,
  MAC_ZERO,
  parseIpv6,
  formatIpv6,
  ipv6Equals,
  type Ipv4Address,
  type Ipv4Cidr,
} from './address.js';
export {
  onesComplementSum,
  internetChecksum,
  ipv4PseudoHeaderSum,
  ipv6PseudoHeaderSum,
  adjustChecksum,
} from './checksum.js';
export {
  EtherType,
  ETHERNET_HEADER_LENGTH,
  VLAN_TAG_LENGTH,
  EthernetFrameView,
  parseEthernet,
  emitEthernet,
  ethernetBufferLen,
  ethernetHeaderLength,
  type EthernetRepr,
  type VlanTag,
} from './ethernet.js';
export { ArpOperation, ARP_PACKET_LENGTH, ArpPacketView, parseArp, emitArp, arpBufferLen, type ArpRepr } from './arp.js';
export {
  IpProtocol,
  IPV4_MIN_HEADER_LENGTH,
  Ipv4PacketView,
  parseIpv4Packet,
  parseQuotedIpv4Packet,
  emitIpv4Packet,
  emitIpv4HeaderFor,
  ipv4BufferLen,
  ipv4HeaderLength,
  decrementTtl,
  type Ipv4Repr,
  type Ipv4ParseOptions,
} from './ipv4.js';
export {
  Icmpv4Type,
  UnreachableCode,
  TimeExceededCode,
  RedirectCode,
  ICMPV4_HEADER_LENGTH,
  Icmpv4MessageView,
  isIcmpv4Error,
  parseIcmpv4,
  emitIcmpv4,
  icmpv4BufferLen,
  type Icmpv4Repr,
  type Icmpv4ParseOptions,
} from './icmpv4.js';
export {
  UDP_HEADER_LENGTH,
  UdpDatagramView,
  parseUdp,
  emitUdp,
  udpBufferLen,
  type UdpRepr,
  type UdpChecksumContext,
} from './udp.js';
export {
  IPV6_HEADER_LENGTH,
  Ipv6PacketView,
  parseIpv6Packet,
  parseQuotedIpv6Packet,
  emitIpv6Packet,
  emitIpv6HeaderFor,
  ipv6BufferLen,
  type Ipv6Repr,
} from './ipv6.js';
export {
  Icmpv6Type,
  Icmpv6UnreachableCode,
  Icmpv6TimeExceededCode,
  Icmpv6ParameterProblemCode,
  ICMPV6_HEADER_LENGTH,
  IPV6_MIN_MTU,
  Icmpv6MessageView,
  isIcmpv6Error,
  parseIcmpv6,
  emitIcmpv6,
  icmpv6BufferLen,
  type Icmpv6Repr,
  type Icmpv6ChecksumContext,
} from './icmpv6.js';
export {
  NdpOptionType,
  NDP_FIXED_LENGTH,
  NdpMessageView,
  parseNdpOptions,
  emitNdpOptions,
  ndpOptionsLength,
  type NdpOption,
  type NdpRepr,
  type NdpKind,
  type RouterPreference,
} from './ndp.js';
export { MldRecordType, type MldRepr, type MldAddressRecord } from './mld.js';
export {
  buildEthernetFrame,
  buildArpFrame,
  buildIpv4Packet,
  buildIpv4Frame,
  buildIcmpv4Packet,
  buildUdpIpv4Packet,
  buildIpv6Packet,
  buildIpv6Frame,
  buildUdpIpv6Packet,
  buildIcmpv6Packet,
  type Ipv4Fields,
  type Ipv6Fields,
} from './builders.js';
export { allocateFrameBytes, copyFrameBytes } from './frame-memory.js';
export {
  describeFrame,
  describeArpPacket,
  describeIpv4Packet,
  describeIpv6Packet,
  describeIcmpv4Message,
  describeIcmpv6Message,
} from './describe.js';
export {
  COMPAT_SETTING_INFO,
  COMPAT_SETTING_NAMES,
  compatSettingsOf,
  isCompatSettingName,
  type CompatSettingInfo,
  type CompatSettingName,
  type CompatSettings,
} from './compat-settings.js';

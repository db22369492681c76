/**
 * The seam between the IPv4 layer and the transports above it (UDP and ping sockets, and any
 * protocol registered in the node's TransportRegistry for family 4): what a transport's receive
 * handler gets (the delivered packet with how it came in — ip_protocol_deliver_rcu's skb), and what
 * its error handler gets (an ICMP error with the identity of the datagram it quotes —
 * icmp_socket_deliver's skb and info). The handlers themselves are registered, not called by name
 * (protocol-table.ts).
 */
import type { Ipv4Repr } from '@netloom/wire';
import type { PacketType } from '../neigh/arp.js';
import type { Nanos } from '../node-host.js';

/** How a received packet came to be delivered (for the transport's and icmp_send's decisions). */
export interface InputContext {
  dev: string;
  packetType: PacketType;
  /** The packet was for one of our addresses (RTCF_LOCAL). */
  isLocal: boolean;
  /** Addressed to a broadcast/multicast address (RTCF_BROADCAST|MULTICAST). */
  isBroadcast: boolean;
}

/** A packet for us, handed to the transport registered for its protocol (family 4). */
export interface Ipv4Delivery {
  context: InputContext;
  /** The whole IP packet (reassembled when it came in fragments). */
  packet: Uint8Array;
  ip: Ipv4Repr;
  /** What a drop quotes: the received frame, or the packet when it was looped back. */
  frame: Uint8Array;
}

/** The identity of a datagram quoted in an ICMP error (its IP header and first 8 bytes). */
export interface QuotedDatagram {
  source: number;
  destination: number;
  protocol: number;
  tos: number;
  /** UDP ports, or for ICMP echo: sourcePort = identifier, destinationPort = sequence. */
  sourcePort: number;
  destinationPort: number;
  /** ICMP type of a quoted ICMP message (8 for our echo requests), else -1. */
  icmpType: number;
}

export interface ReceivedUdp {
  ifname: string;
  ifindex: number;
  source: number;
  destination: number;
  sourcePort: number;
  destinationPort: number;
  payload: Uint8Array;
  ttl: number;
  /** The packet was addressed to a broadcast or multicast address. */
  isBroadcast: boolean;
}

export interface ReceivedIcmp {
  ifname: string;
  source: number;
  destination: number;
  type: number;
  code: number;
  identifier: number;
  sequence: number;
  /** Echo data, or the quoted datagram for errors. */
  payload: Uint8Array;
  ttl: number;
  ipLength: number;
  /** For errors: who sent the datagram the error quotes. */
  quoted?: QuotedDatagram;
  /** Redirect gateway, frag-needed MTU or parameter problem pointer (the kernel's ee_info). */
  info: number;
}

/** An ICMP error for the transport whose datagram it quotes (its err_handler's argument). */
export type IcmpErrorReport = ReceivedIcmp & { quoted: QuotedDatagram };

/** Where the ICMP layer hands echo replies and errors about echo requests (ping_rcv, ping_err). */
export interface PingProtocol {
  /** ping_rcv: an echo reply for the socket with its identifier (none: dropped, as ping_rcv does). */
  receiveReply(message: ReceivedIcmp, now: Nanos): void;
  /** ping_err: an error quoting one of our echo requests; true when a ping socket sent it. */
  error(report: IcmpErrorReport, now: Nanos): boolean;
}

/**
 * The seam between the IPv4 layer and the sockets above it: what the layer hands up (datagrams,
 * echo replies, ICMP errors with the quoted datagram's identity) and what it asks (is there a
 * socket that sent the datagram an ICMP message quotes — Linux only acts on redirects that a
 * socket's err_handler sees).
 */
import type { Nanos } from '../node-host.js';

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
  /** Redirect gateway or frag-needed MTU. */
  info: number;
}

export interface TransportDemux {
  /** Deliver a UDP datagram; false when no socket takes it (port unreachable). */
  deliverUdp(datagram: ReceivedUdp, now: Nanos): boolean;
  /** Deliver an echo reply to the ping socket that sent the request. */
  deliverEchoReply(message: ReceivedIcmp, now: Nanos): void;
  /** Deliver an ICMP error about a datagram we sent (UDP or echo). */
  deliverIcmpError(message: ReceivedIcmp & { quoted: QuotedDatagram }, now: Nanos): void;
  /** Whether a local socket sent the quoted datagram (udp_err/ping_err would find it). */
  hasSocketFor(quoted: QuotedDatagram): boolean;
}

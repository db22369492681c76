/**
 * The sockets of the two namespace recordings in fixtures/socket-listings/ (record.sh), as the
 * model's socket tables would report them: what `ss` and `netstat` printed there is what the
 * listing commands must print for these records. In the kernel's dump order (listeners first,
 * IPv4 before IPv6). Ports and pids are the ones Linux 6.18 chose in the recording.
 */
import type { SocketListing, SocketProcess, TcpSocketInfo, UdpSocketInfo } from '../tcp/socket-info.js';

const python = (pid: number, fd: number): SocketProcess => ({ name: 'python3', pid, fd });
const v4any = { address: '0.0.0.0', port: 0 };
const v6any = { address: '::', port: 0 };

/** First recording: holder.py (pid 4839) with listeners, connections in five states, UDP. */
export const FIRST_TCP: readonly TcpSocketInfo[] = [
  { family: 4, state: 'LISTEN', recvQ: 1, sendQ: 128, local: { address: '0.0.0.0', port: 80 }, remote: v4any, process: python(4839, 3) },
  { family: 4, state: 'LISTEN', recvQ: 0, sendQ: 10, local: { address: '0.0.0.0', port: 22 }, remote: v4any, boundDevice: 'h1bva', process: python(4839, 6) },
  // Completed but never accepted: in the listener's accept queue, held by no process.
  { family: 4, state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 80 }, remote: { address: '10.9.0.2', port: 41260 } },
  { family: 4, state: 'SYN-SENT', recvQ: 0, sendQ: 1, local: { address: '10.9.0.1', port: 37970 }, remote: { address: '10.9.0.3', port: 80 }, process: python(4839, 11) },
  { family: 4, state: 'TIME-WAIT', recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 60358 }, remote: { address: '10.9.0.2', port: 13 } },
  { family: 4, state: 'CLOSE-WAIT', recvQ: 1, sendQ: 0, local: { address: '10.9.0.1', port: 51540 }, remote: { address: '10.9.0.2', port: 19 }, process: python(4839, 9) },
  { family: 4, state: 'ESTAB', recvQ: 1000, sendQ: 0, local: { address: '10.9.0.1', port: 34652 }, remote: { address: '10.9.0.2', port: 7 }, process: python(4839, 7) },
  { family: 4, state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 51392 }, remote: { address: '10.9.0.2', port: 9 }, process: python(4839, 8) },
  { family: 6, state: 'LISTEN', recvQ: 0, sendQ: 4096, local: { address: '::', port: 8081 }, remote: v6any, process: python(4839, 5) },
  // IPV6_V6ONLY 0, as Linux's default: ss prints its wildcard as `*`.
  { family: 6, state: 'LISTEN', recvQ: 0, sendQ: 5, local: { address: '::', port: 8080 }, remote: v6any, dualStack: true, process: python(4839, 4) },
  { family: 6, state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '2001:db8:9::1', port: 45286 }, remote: { address: '2001:db8:9::2', port: 8080 }, process: python(4839, 12) },
  {
    family: 6,
    state: 'ESTAB',
    recvQ: 0,
    sendQ: 0,
    local: { address: 'fe80::54c4:e7ff:fe64:962e', port: 39472 },
    remote: { address: 'fe80::ecd8:fff:fe9b:d68a', port: 8080 },
    boundDevice: 'h1bva',
    process: python(4839, 13),
  },
];

export const FIRST_UDP: readonly UdpSocketInfo[] = [
  { family: 4, connected: true, recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 59639 }, remote: { address: '10.9.0.2', port: 53 }, process: python(4839, 15) },
  { family: 4, connected: false, recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 68 }, remote: v4any, boundDevice: 'h1bva', process: python(4839, 17) },
  { family: 4, connected: false, recvQ: 0, sendQ: 0, local: { address: '0.0.0.0', port: 5353 }, remote: v4any, process: python(4839, 14) },
  { family: 6, connected: false, recvQ: 0, sendQ: 0, local: { address: '::', port: 5353 }, remote: v6any, process: python(4839, 16) },
];

/** Second recording: holder.py again (pid 11641) and fill.py (pid 11928) with 621192 bytes unsent. */
export const SECOND_TCP: readonly TcpSocketInfo[] = [
  { family: 4, state: 'LISTEN', recvQ: 1, sendQ: 128, local: { address: '0.0.0.0', port: 80 }, remote: v4any, process: python(11641, 3) },
  { family: 4, state: 'TIME-WAIT', recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 32988 }, remote: { address: '10.9.0.2', port: 13 } },
  { family: 4, state: 'CLOSE-WAIT', recvQ: 1, sendQ: 0, local: { address: '10.9.0.1', port: 48666 }, remote: { address: '10.9.0.2', port: 19 }, process: python(11641, 9) },
  { family: 4, state: 'SYN-SENT', recvQ: 0, sendQ: 1, local: { address: '10.9.0.1', port: 59820 }, remote: { address: '10.9.0.3', port: 80 }, process: python(11641, 11) },
  { family: 4, state: 'ESTAB', recvQ: 1000, sendQ: 0, local: { address: '10.9.0.1', port: 33184 }, remote: { address: '10.9.0.2', port: 7 }, process: python(11641, 7) },
  { family: 4, state: 'ESTAB', recvQ: 0, sendQ: 621192, local: { address: '10.9.0.1', port: 49706 }, remote: { address: '10.9.0.2', port: 9 }, process: python(11928, 3) },
  { family: 4, state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 52552 }, remote: { address: '10.9.0.2', port: 9 }, process: python(11641, 8) },
  { family: 4, state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '10.9.0.1', port: 80 }, remote: { address: '10.9.0.2', port: 38970 } },
  {
    family: 6,
    state: 'ESTAB',
    recvQ: 0,
    sendQ: 0,
    local: { address: 'fe80::54c4:e7ff:fe64:962e', port: 38438 },
    remote: { address: 'fe80::ecd8:fff:fe9b:d68a', port: 8080 },
    boundDevice: 'h1bva',
    process: python(11641, 13),
  },
  { family: 6, state: 'ESTAB', recvQ: 0, sendQ: 0, local: { address: '2001:db8:9::1', port: 34692 }, remote: { address: '2001:db8:9::2', port: 8080 }, process: python(11641, 12) },
];

/**
 * Third recording: quirk.py (pid 25437), whose last listed socket has the longest `users:` text
 * (fd 11): ss never counts the last row's last cell, so the Process column stays one narrower.
 */
export const THIRD_TCP: readonly TcpSocketInfo[] = [
  { family: 4, state: 'LISTEN', recvQ: 0, sendQ: 1, local: { address: '0.0.0.0', port: 7001 }, remote: v4any, process: python(25437, 3) },
  { family: 6, state: 'LISTEN', recvQ: 0, sendQ: 1, local: { address: '::', port: 7002 }, remote: v6any, process: python(25437, 11) },
];

export function listingOf(tcp: readonly TcpSocketInfo[], udp: readonly UdpSocketInfo[] = []): SocketListing {
  return { tcp: () => tcp, udp: () => udp };
}

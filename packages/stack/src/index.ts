/**
 * @netloom/stack — one node's kernel model. Other packages use: `createNode` (the runtime builds
 * nodes with it), the NodeHost contract (node-host.ts) and the program/socket contract (process.ts).
 */
export { createNode, StackNode, type LinuxNode, type NodeParts } from './node.js';
export type {
  CommandHandle,
  CommandIo,
  CompatSettings,
  DropReason,
  Nanos,
  NodeConfig,
  NodeCounters,
  NodeEnvironment,
  NodeHost,
  NodeKind,
  StackEvent,
} from './node-host.js';
export {
  errnoMessage,
  type ArpReply,
  type ArpSocket,
  type Datagram,
  type Errno,
  type Icmp6RawMessage,
  type Icmp6RawSocket,
  type IcmpMessage,
  type IcmpSocket,
  type InterfaceAddress,
  type PktInfo,
  type Program,
  type ProcessContext,
  type SendInfo,
  type SendResult,
  type SockAddr,
  type SocketResult,
  type PmtuDiscover,
  type TimerHandle,
  type UdpProbeError,
  type UdpSocket,
  type TcpSocket,
  type TcpState,
} from './process.js';
export type { TcpMib, TcpSockets } from './tcp/tcp-sockets.js';
export type { SocketEndpoint, SocketProcess, TcpSocketInfo, UdpSocketInfo } from './tcp/socket-info.js';

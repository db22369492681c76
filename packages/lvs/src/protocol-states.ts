/**
 * IPVS's own view of a connection's state (not conntrack's): the TCP state machine of
 * ip_vs_proto_tcp.c and the single UDP state of ip_vs_proto_udp.c, with their timeouts.
 *
 * TCP: eleven states, and a table per direction — INPUT (client to director), OUTPUT (real server to
 * director, seen only for masquerading) and INPUT-ONLY (used while IP_VS_CONN_F_NOOUTPUT is set: direct
 * routing and tunnelling never see replies). The event is the packet's most important flag, RST > SYN >
 * FIN > ACK (tcp_state_idx); a segment with none of them moves the connection to CLOSE, as
 * set_tcp_state's default does. The tables are the current kernel's (since 5.x an ACK from NONE
 * enters ESTABLISHED). A state counts as active (ActiveConn) when it is ESTABLISHED, SYN_SENT,
 * SYN_RECV or SYNACK (tcp_state_active_table); `secure_tcp` (tcp_states_dos) is not modelled.
 * Timeouts (tcp_timeouts[], udp_timeouts[]): ESTABLISHED 900 s, SYN_SENT 120 s, SYN_RECV 60 s,
 * FIN_WAIT 120 s, TIME_WAIT 120 s, CLOSE 10 s, CLOSE_WAIT 60 s, LAST_ACK 30 s, LISTEN 120 s, SYNACK
 * 120 s, NONE 2 s; UDP 300 s. `ipvsadm --set tcp tcpfin udp` changes ESTABLISHED, FIN_WAIT and UDP.
 */

export const TCP_STATE_NAMES = [
  'NONE',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'SYNACK',
] as const;
export type TcpStateName = (typeof TCP_STATE_NAMES)[number];

export const TCP_S = {
  NONE: 0,
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT: 4,
  TIME_WAIT: 5,
  CLOSE: 6,
  CLOSE_WAIT: 7,
  LAST_ACK: 8,
  LISTEN: 9,
  SYNACK: 10,
} as const;

/** tcp_timeouts[] in seconds, by state. */
export const DEFAULT_TCP_TIMEOUTS_S: readonly number[] = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120];
/** udp_timeouts[IP_VS_UDP_S_NORMAL]. */
export const DEFAULT_UDP_TIMEOUT_S = 300;

const ACTIVE: readonly boolean[] = [false, true, true, true, false, false, false, false, false, false, true];

export function isActiveTcpState(state: number): boolean {
  return ACTIVE[state] === true;
}

export type TcpDirection = 'input' | 'output' | 'inputOnly';

/** The flags that drive the machine. */
export interface TcpFlags {
  readonly syn: boolean;
  readonly fin: boolean;
  readonly ack: boolean;
  readonly rst: boolean;
}

const { ESTABLISHED: sES, SYN_SENT: sSS, SYN_RECV: sSR, FIN_WAIT: sFW, TIME_WAIT: sTW, CLOSE: sCL, CLOSE_WAIT: sCW, LAST_ACK: sLA, LISTEN: sLI, SYNACK: sSA } =
  TCP_S;

/** tcp_states[]: per direction, rows syn, fin, ack, rst; columns the current state. */
const TCP_STATES: Readonly<Record<TcpDirection, readonly (readonly number[])[]>> = {
  //            sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA
  input: [
    [sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR],
    [sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW],
    [sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES],
    [sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR],
  ],
  output: [
    [sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR],
    [sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW],
    [sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES],
    [sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL],
  ],
  inputOnly: [
    [sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR],
    [sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW],
    [sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES],
    [sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL],
  ],
};

/** tcp_state_idx: RST 3, SYN 0, FIN 1, ACK 2, none −1. */
function tcpEvent(flags: TcpFlags): number {
  if (flags.rst) return 3;
  if (flags.syn) return 0;
  if (flags.fin) return 1;
  if (flags.ack) return 2;
  return -1;
}

/** The next state of set_tcp_state (CLOSE for a segment with no SYN, FIN, ACK or RST). */
export function nextTcpState(state: number, direction: TcpDirection, flags: TcpFlags): number {
  const event = tcpEvent(flags);
  if (event < 0) return sCL;
  return TCP_STATES[direction][event]![state]!;
}

/** The protocol timeouts of one node (struct ip_vs_proto_data's timeout tables), in seconds. */
export class ProtocolTimeouts {
  readonly tcp: number[] = [...DEFAULT_TCP_TIMEOUTS_S];
  udp = DEFAULT_UDP_TIMEOUT_S;

  /** ip_vs_set_timeout: a value of 0 keeps the current one. */
  set(tcp: number, tcpFin: number, udp: number): void {
    if (tcp > 0) this.tcp[TCP_S.ESTABLISHED] = tcp;
    if (tcpFin > 0) this.tcp[TCP_S.FIN_WAIT] = tcpFin;
    if (udp > 0) this.udp = udp;
  }
}

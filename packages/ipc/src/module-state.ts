/**
 * What a node's loadable parts show a UI, as plain records carried in NodeStateRecord: a director's
 * IPVS (its virtual services and real servers with the numbers `ipvsadm -L -n`, `--stats` and
 * `--rate` print) and a Mobile IPv6 node's bindings (`mip6d bc` on a home agent, `mip6d bul` on a
 * mobile node). Addresses are text as those tools print them; times are virtual nanoseconds.
 * Leaves out the connection table (`ipvsadm -L -n -c`): a busy director holds thousands.
 * Each list is bounded (the *_SHOWN constants); the counts tell how many there were.
 */

/** Services, real servers per service and bindings a record lists at most. */
export const IPVS_SERVICES_SHOWN = 32;
export const IPVS_REAL_SERVERS_SHOWN = 64;
export const BINDINGS_SHOWN = 64;

/** The 2 s estimator's rates (ip_vs_read_estimator), per second. */
export interface IpvsRatesRecord {
  cps: number;
  inpps: number;
  outpps: number;
  inbps: number;
  outbps: number;
}

export interface IpvsRealServerRecord {
  /** `10.1.1.2:53`, `[2001:db8::2]:80`. */
  address: string;
  /** ipvsadm's Forward column: Masq, Route, Tunnel, Local. */
  forward: string;
  weight: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  /** Connections scheduled to it (`--stats` Conns). */
  conns: number;
  rates: IpvsRatesRecord;
}

export interface IpvsServiceRecord {
  /** TCP, UDP or FWM. */
  protocol: 'TCP' | 'UDP' | 'FWM';
  /** `192.168.1.110:53`, `[2001:db8::1]:80`, or the mark (`5`, `5 IPv6`). */
  address: string;
  scheduler: string;
  /** Persistence timeout in seconds, or null. */
  persistent: number | null;
  conns: number;
  rates: IpvsRatesRecord;
  /** In `ipvsadm -L -n`'s order, at most IPVS_REAL_SERVERS_SHOWN. */
  realServers: IpvsRealServerRecord[];
  realServerCount: number;
}

export interface IpvsStateRecord {
  /** In `ipvsadm -L -n`'s order, at most IPVS_SERVICES_SHOWN. */
  services: IpvsServiceRecord[];
  serviceCount: number;
}

/** One binding: a home agent's binding cache entry or a mobile node's binding update list entry. */
export interface BindingRecord {
  homeAddress: string;
  /** BID (RFC 5648), 0 without one. */
  bindingId: number;
  priority: number;
  /** Null while the mobile node has no CoA for the entry. */
  careOfAddress: string | null;
  /** The mobile node's interface of the entry; null at the home agent. */
  dev: string | null;
  /** registered, registering, unregistered, or `refused 135`. */
  status: string;
  /** Granted (or asked) lifetime, seconds. */
  lifetime: number;
  /** When the registration runs out (virtual ns); null when not registered. */
  expiresAt: number | null;
  sequence: number;
  /** Home agent: the binding the tunnel to the home address uses. */
  tunnel: boolean;
  /** Mobile node: BU retransmissions of the entry so far. */
  retransmissions: number;
}

export interface MobilityStateRecord {
  role: 'home-agent' | 'mobile-node';
  /** The mobile node's home address; null at a home agent. */
  homeAddress: string | null;
  /** Binding cache (home agent) or binding update list (mobile node), at most BINDINGS_SHOWN. */
  bindings: BindingRecord[];
  bindingCount: number;
}

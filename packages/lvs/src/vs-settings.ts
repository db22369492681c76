/**
 * net.ipv4.vs: the IPVS sysctls (ip_vs_ctl.c's vs_vars, Documentation/networking/ipvs-sysctl.rst),
 * as values the model reads and as a sysctl directory a director's node registers in its tree
 * (`tree.register(new VsSysctlDirectory(ipvs.settings))`), so `sysctl net.ipv4.vs.expire_nodest_conn`
 * and /proc/sys/net/ipv4/vs/* read and write them with the kernel's checks.
 *
 * Used by the model: conn_reuse_mode, expire_nodest_conn, expire_quiescent_template, sloppy_tcp,
 * lblc_expiration/lblcr_expiration are shown but the schedulers use the 24 h default. The others are
 * kept and shown with their defaults (conntrack, pmtu_disc, snat_reroute, … are the datapath's to read).
 * Leaves out the two non-integer files, sync_threshold ("3 50") and est_cpulist, and sync_qlen_max
 * (its default depends on the machine's memory), and debug_level (CONFIG_IP_VS_DEBUG).
 */
import type { ProcHandler } from '@netloom/stack/sysctl/proc-handlers';
import type { SysctlDirectory, SysctlWriteResult } from '@netloom/stack/sysctl/sysctl-tree';

export const VS_SYSCTL_PREFIX = 'net.ipv4.vs';

interface VsKey {
  readonly value: number;
  readonly handler: ProcHandler;
}

const int: ProcHandler = { kind: 'int' };
const defenseMode: ProcHandler = { kind: 'int-minmax', min: 0, max: 3 };
const bool01: ProcHandler = { kind: 'int-minmax', min: 0, max: 1 };

/** Every key with its default and proc_handler. */
const VS_KEYS = {
  am_droprate: { value: 10, handler: int },
  amemthresh: { value: 1024, handler: int },
  backup_only: { value: 0, handler: int },
  cache_bypass: { value: 0, handler: int },
  conn_reuse_mode: { value: 1, handler: int },
  conntrack: { value: 0, handler: int },
  drop_entry: { value: 0, handler: defenseMode },
  drop_packet: { value: 0, handler: defenseMode },
  est_nice: { value: 0, handler: { kind: 'int-minmax', min: -20, max: 19 } },
  expire_nodest_conn: { value: 0, handler: int },
  expire_quiescent_template: { value: 0, handler: int },
  ignore_tunneled: { value: 0, handler: int },
  lblc_expiration: { value: 86400, handler: { kind: 'jiffies' } },
  lblcr_expiration: { value: 86400, handler: { kind: 'jiffies' } },
  nat_icmp_send: { value: 0, handler: int },
  pmtu_disc: { value: 1, handler: int },
  run_estimation: { value: 1, handler: int },
  schedule_icmp: { value: 0, handler: int },
  secure_tcp: { value: 0, handler: defenseMode },
  sloppy_sctp: { value: 0, handler: int },
  sloppy_tcp: { value: 0, handler: int },
  snat_reroute: { value: 1, handler: int },
  sync_persist_mode: { value: 0, handler: int },
  sync_ports: { value: 1, handler: { kind: 'int-minmax', min: 1, max: 128 } },
  sync_refresh_period: { value: 0, handler: { kind: 'jiffies' } },
  sync_retries: { value: 0, handler: { kind: 'int-minmax', min: 0, max: 3 } },
  sync_sock_size: { value: 0, handler: int },
  sync_version: { value: 1, handler: bool01 },
} as const satisfies Record<string, VsKey>;

export type VsSettingName = keyof typeof VS_KEYS;
/** The current values, by key name. */
export type VsSettings = Record<VsSettingName, number>;

export function defaultVsSettings(): VsSettings {
  const settings = {} as VsSettings;
  for (const [name, key] of Object.entries(VS_KEYS) as [VsSettingName, VsKey][]) settings[name] = key.value;
  return settings;
}

const isVsSettingName = (name: string): name is VsSettingName => Object.hasOwn(VS_KEYS, name);

/** net.ipv4.vs as a directory of a node's sysctl tree, over one Ipvs's settings. */
export class VsSysctlDirectory implements SysctlDirectory {
  readonly prefix = VS_SYSCTL_PREFIX;

  constructor(private readonly settings: VsSettings) {}

  private keyOf(name: string): VsSettingName | undefined {
    const key = name.slice(VS_SYSCTL_PREFIX.length + 1);
    return isVsSettingName(key) ? key : undefined;
  }

  get(name: string): number | undefined {
    const key = this.keyOf(name);
    return key === undefined ? undefined : this.settings[key];
  }

  handlerOf(name: string): ProcHandler | undefined {
    const key = this.keyOf(name);
    return key === undefined ? undefined : VS_KEYS[key].handler;
  }

  set(name: string, value: number): SysctlWriteResult {
    const key = this.keyOf(name);
    if (key === undefined) return 'ENOENT';
    if (!Number.isInteger(value)) return 'EINVAL';
    this.settings[key] = value;
    return 'ok';
  }

  list(): [string, number][] {
    return (Object.keys(VS_KEYS) as VsSettingName[]).map((key) => [`${VS_SYSCTL_PREFIX}.${key}`, this.settings[key]]);
  }

  addDevice(): void {}
  removeDevice(): void {}
  renameDevice(): void {}
}

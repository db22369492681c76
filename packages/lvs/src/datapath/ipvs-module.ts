/**
 * IPVS as a loadable module of a node (ip_vs.ko): registered on every node at no cost, loaded by
 * `modprobe ip_vs` or on the first `ipvsadm` (libipvs opens the IPVS netlink family, which makes
 * the kernel request_module ip_vs), as Linux does. Loading creates the node's IPVS (ipvs.ts) and
 * puts the datapath's hooks on the netfilter points (ipvs-datapath.ts), so a node that never uses
 * IPVS runs no IPVS code per packet.
 *
 * The module drives IPVS's timers (connection expiry, the 2 s rate estimator) with one node timer,
 * armed at `Ipvs.nextDeadline()` after each command and each packet IPVS handled, and runs
 * `Ipvs.tick(now)` when it fires. What the module adds to the node besides the hooks — `ipvsadm`,
 * /proc/net/ip_vs*, net.ipv4.vs.* — is wired by `registerIpvs`.
 * Leaves out unloading (`modprobe -r ip_vs`).
 */
import type { CommandIo, LinuxNode, Nanos } from '@netloom/stack';
import type { TimerHandle } from '@netloom/stack/timers';
import { Ipvs } from '../ipvs.js';
import { IpvsDatapath } from './ipvs-datapath.js';
import { SyncDaemons } from './sync-daemon.js';
import { VsSysctlDirectory } from '../vs-settings.js';
import { ipvsadm, type IpvsadmResult } from '../ipvsadm.js';
import { ipvsadmRestore, ipvsadmSave } from '../ipvsadm-scripts.js';
import { procNetIpVs, procNetIpVsConn, procNetIpVsStats } from '../proc-net.js';

/** One node's loaded IPVS: the control plane, its datapath and the timer that runs it. */
export class IpvsModule {
  readonly ipvs: Ipvs;
  readonly datapath: IpvsDatapath;
  /** The connection sync daemons ipvsadm --start-daemon runs (sync-daemon.ts). */
  readonly syncDaemons: SyncDaemons;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly node: LinuxNode) {
    this.syncDaemons = new SyncDaemons(node);
    this.ipvs = new Ipvs((address) => address.family === 4 && node.kernel.isLocalAddress(address.v4), this.syncDaemons);
    this.datapath = new IpvsDatapath(node, this.ipvs, () => this.arm());
  }

  /** Keep the node timer at IPVS's next deadline (never later; an early wake-up only re-arms). */
  arm(): void {
    const due = this.ipvs.nextDeadline();
    if (due === undefined) return;
    if (this.timer?.isPending === true && this.timerAt <= due) return;
    this.timer?.cancel();
    this.timerAt = due;
    this.timer = this.node.parts.timers.schedule(due, (now: Nanos) => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.ipvs.tick(now);
      this.arm();
    });
  }
}

/**
 * Give `node` IPVS as a module: `modprobe ip_vs` or the first `ipvsadm` loads it; what the loaded
 * module adds to the node — /proc/net/ip_vs, ip_vs_conn and ip_vs_stats (proc-net.ts), net.ipv4.vs.*
 * in the sysctl tree — comes with it. `ipvsadm` (with Debian's ipvsadm-save and ipvsadm-restore,
 * ipvsadm-scripts.ts) is a command on every node (the tool is installed everywhere; running it loads
 * the module). Returns the module once loaded.
 */
export function registerIpvs(node: LinuxNode): () => IpvsModule | undefined {
  let loaded: IpvsModule | undefined;
  node.modules.register('ip_vs', () => {
    const module = new IpvsModule(node);
    const { ipvs } = module;
    node.kernel.sysctls.register(new VsSysctlDirectory(ipvs.settings));
    node.shell.files.provide('/proc/net/ip_vs', () => procNetIpVs(ipvs));
    node.shell.files.provide('/proc/net/ip_vs_conn', (now) => {
      ipvs.tick(now);
      return procNetIpVsConn(ipvs, now);
    });
    node.shell.files.provide('/proc/net/ip_vs_stats', (now) => procNetIpVsStats(ipvs, now));
    module.arm();
    loaded = module;
  });
  // ipvsadm and Debian's ipvsadm-save/-restore scripts over it; -R reads the command's standard input.
  const tool = (run: (argv: string[], ipvs: Ipvs, now: Nanos, io: CommandIo) => IpvsadmResult) => (argv: string[], now: Nanos, io: CommandIo): void => {
    node.modules.load('ip_vs');
    const module = loaded;
    if (module === undefined) throw new Error('ip_vs did not load');
    const result = run(argv, module.ipvs, now, io);
    module.arm();
    io.stdout(result.stdout);
    io.stderr(result.stderr);
    io.exit(result.status);
  };
  node.shell.register('ipvsadm', tool((argv, ipvs, now, io) => ipvsadm(argv, ipvs, now, { stdin: () => io.stdin?.() ?? null })));
  node.shell.register('ipvsadm-save', tool(ipvsadmSave));
  node.shell.register('ipvsadm-restore', tool((_argv, ipvs, now, io) => ipvsadmRestore(ipvs, now, io.stdin?.() ?? '')));
  return () => loaded;
}

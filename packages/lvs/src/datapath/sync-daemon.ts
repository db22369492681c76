/**
 * IPVS's sync daemons on a director (ip_vs_sync.c's sync_thread_master and sync_thread_backup,
 * make_send_sock and make_receive_sock), as processes of the node named as the kernel threads are
 * (`ipvs-m:0:0`, `ipvs-b:0:0`). The control plane (connection-sync.ts, Ipvs.startDaemon) decides
 * what goes into messages; this module moves them.
 *
 * Master: a UDP socket on the multicast interface (bound to its address, port chosen by the stack,
 * as bind_mcastif_addr does; connected to the group and port; TTL the daemon's mcast_ttl, 1 by
 * default). The thread sleeps IPVS_SYNC_CHECK_PERIOD (1 s) at a time; a queued buffer wakes it
 * IPVS_SYNC_SEND_DELAY (20 ms) after the first one, or at once at the eighth (IPVS_SYNC_WAKEUP_RATE);
 * awake, it sends every queued message and the current buffer once it is 2 s old, then sleeps.
 * Backup: the interface joins the group (Kernel.joinGroup, ip_mc_join_group) and a UDP socket bound
 * to the port on that interface reads messages of up to sync_maxlen bytes (a longer datagram is cut,
 * so its size check fails) and hands them to processSyncMessage.
 * Differences: the receive socket is bound to 0.0.0.0:port with SO_BINDTODEVICE (netloom's bind
 * refuses a group address, Linux's accepts it); the send socket's TTL is set with IP_TTL
 * (IP_MULTICAST_TTL is not modelled; for a datagram to a group the effect is the same); no IGMP
 * reports; one thread per state (sync_ports 1).
 */
import type { CommandHandle, LinuxNode, Nanos, ProcessContext, UdpSocket } from '@netloom/stack';
import type { TimerHandle } from '@netloom/stack/timers';
import { processSyncMessage } from '../connection-sync.js';
import { formatAddress } from '../inet-address.js';
import type { Ipvs, IpvsResult, SyncDaemon, SyncDaemonHost } from '../ipvs.js';

/** IPVS_SYNC_CHECK_PERIOD, IPVS_SYNC_SEND_DELAY, IPVS_SYNC_WAKEUP_RATE. */
const CHECK_PERIOD_NS = 1e9;
const SEND_DELAY_NS = 20e6;
const WAKEUP_RATE = 8;

interface RunningDaemon {
  stop(): void;
  wake?(queued: number, now: Nanos): void;
}

/** The node's sync daemons (Ipvs's SyncDaemonHost). */
export class SyncDaemons implements SyncDaemonHost {
  private readonly running = new Map<'master' | 'backup', RunningDaemon>();
  /** Datagrams the master sent, and sends that failed (ip_vs_send_async's errors). */
  messagesSent = 0;
  sendsFailed = 0;

  constructor(private readonly node: LinuxNode) {}

  deviceMtu(name: string): number | undefined {
    return this.node.kernel.device(name)?.mtu;
  }

  start(daemon: SyncDaemon, ipvs: Ipvs): IpvsResult {
    const result = daemon.state === 'master' ? this.startMaster(daemon, ipvs) : this.startBackup(daemon, ipvs);
    if ('errno' in result) return result.errno;
    this.running.set(daemon.state, result);
    return 'ok';
  }

  stop(state: 'master' | 'backup'): void {
    this.running.get(state)?.stop();
    this.running.delete(state);
  }

  wakeMaster(queued: number, now: Nanos): void {
    this.running.get('master')?.wake?.(queued, now);
  }

  /**
   * A daemon thread: a process named `name` with a UDP socket that `setup` prepares (false: it
   * could not, the socket is closed). Returns the process, or the errno when it could not start.
   */
  private startThread(name: string, setup: (ctx: ProcessContext, socket: UdpSocket) => boolean): CommandHandle | { errno: IpvsResult } {
    let failed: IpvsResult | undefined;
    const handle = this.node.parts.processes.start(
      (ctx) => {
        const socket = ctx.udpSocket(4);
        if ('errno' in socket) {
          failed = 'ENOMEM';
          return ctx.exit(1);
        }
        if (!setup(ctx, socket)) {
          failed = 'EINVAL';
          socket.close();
          return ctx.exit(1);
        }
        ctx.onInterrupt(() => {
          socket.close();
          ctx.exit(0);
        });
      },
      [name],
      { stdout: () => {}, stderr: () => {}, exit: () => {} },
    );
    return failed !== undefined ? { errno: failed } : handle;
  }

  /** make_send_sock + sync_thread_master. */
  private startMaster(daemon: SyncDaemon, ipvs: Ipvs): RunningDaemon | { errno: IpvsResult } {
    const node = this.node;
    const timers = node.parts.timers;
    let sleep: TimerHandle | undefined;
    let delayed: TimerHandle | undefined;
    let stopped = false;
    let run: (now: Nanos) => void = () => {};
    const thread = this.startThread('ipvs-m:0:0', (ctx, socket) => {
      const source = node.kernel.selectSource(daemon.mcastInterface, 0, 0);
      const steps = [
        () => socket.setsockopt('SO_BINDTODEVICE', daemon.mcastInterface),
        () => socket.setsockopt('IP_TTL', daemon.mcastTtl),
        () => socket.bind(formatAddress({ family: 4, v4: source }), 0),
        () => socket.connect(formatAddress(daemon.mcastGroup), daemon.mcastPort),
      ];
      if (!steps.every((step) => step().ok)) return false;
      run = (now) => {
        sleep?.cancel();
        sleep = undefined;
        if (stopped) return;
        for (let message = ipvs.syncMaster?.nextMessage(now); message !== undefined; message = ipvs.syncMaster?.nextMessage(now)) {
          if (socket.sendto(message).ok) this.messagesSent++;
          else this.sendsFailed++;
        }
        sleep = timers.schedule(now + CHECK_PERIOD_NS, run);
      };
      sleep = timers.schedule(ctx.now() + CHECK_PERIOD_NS, run);
      return true;
    });
    if ('errno' in thread) return thread;
    return {
      stop: () => {
        stopped = true;
        sleep?.cancel();
        delayed?.cancel();
        thread.interrupt();
      },
      wake: (queued, now) => {
        // sb_queue_tail: the first queued buffer schedules master_wakeup_work; the eighth wakes the thread.
        if (queued === 1) delayed = timers.schedule(now + SEND_DELAY_NS, run);
        else if (queued === WAKEUP_RATE) timers.schedule(now, run);
      },
    };
  }

  /** make_receive_sock + sync_thread_backup. */
  private startBackup(daemon: SyncDaemon, ipvs: Ipvs): RunningDaemon | { errno: IpvsResult } {
    const kernel = this.node.kernel;
    const group = daemon.mcastGroup.family === 4 ? daemon.mcastGroup.v4 : 0;
    const joined = kernel.joinGroup(daemon.mcastInterface, group);
    if (!joined.ok) return { errno: joined.errno === 'ENODEV' ? 'ENODEV' : 'ENOMEM' };
    const thread = this.startThread('ipvs-b:0:0', (ctx, socket) => {
      if (!socket.setsockopt('SO_BINDTODEVICE', daemon.mcastInterface).ok || !socket.bind('0.0.0.0', daemon.mcastPort).ok) return false;
      socket.onMessage((datagram) => {
        const bytes = datagram.data.length > daemon.syncMaxlen ? datagram.data.subarray(0, daemon.syncMaxlen) : datagram.data;
        processSyncMessage(bytes, daemon.syncId, ipvs, ipvs.syncBackupCounters, ctx.now());
      });
      return true;
    });
    if ('errno' in thread) {
      kernel.leaveGroup(daemon.mcastInterface, group);
      return thread;
    }
    return {
      stop: () => {
        thread.interrupt();
        kernel.leaveGroup(daemon.mcastInterface, group);
      },
    };
  }
}

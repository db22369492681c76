import type { Program } from '@netloom/stack';
import { Lab, SECOND } from '@netloom/stack/testing/lab';
import { parseIpv4Packet, parseUdp, isWireError, type Ipv4Repr } from '@netloom/wire';
import { parseIpvsSyncMessage } from '@netloom/wire/ipvs-sync';
import { describe, expect, test } from 'vitest';
import { registerIpvs } from './ipvs-module.js';
import { labPrograms } from './testing/lvs-lab.js';

const VIP = '10.0.0.100';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `tcp-chat DEST PORT N`: connects and sends `ping1` … `pingN`, one a second, printing each answer; then holds the connection. */
const tcpChat: Program = (ctx) => {
  const socket = ctx.tcpSocket(4);
  if ('errno' in socket) return ctx.exit(2);
  const [, dest = '', port = '0', count = '1'] = ctx.argv;
  let sent = 0;
  const next = (): void => {
    if (sent >= Number(count)) return;
    socket.send(encoder.encode(`ping${++sent}`));
    ctx.setTimer(1 * SECOND, next);
  };
  socket.onConnect(next);
  socket.onData((data) => void ctx.stdout(`${decoder.decode(data)}\n`));
  socket.onError((errno) => {
    ctx.stdout(`${errno}\n`);
    ctx.exit(1);
  });
  ctx.onInterrupt(() => ctx.exit(0));
  socket.connect(dest, Number(port));
};

/** `garp IF ADDR`: a gratuitous ARP for ADDR (what keepalived sends when it takes a VIP over). */
const garp: Program = (ctx) => {
  const socket = ctx.arp(ctx.argv[1] ?? '');
  if ('errno' in socket) return ctx.exit(2);
  socket.announce(ctx.argv[2] ?? '', false);
  socket.close();
  ctx.exit(0);
};

const programs = { ...labPrograms, 'tcp-chat': tcpChat, garp };

/**
 * One LAN: client 10.0.0.10, the primary director d1 10.0.0.1 with the VIP, the backup d2 10.0.0.4,
 * real servers rs1 10.0.0.2 and rs2 10.0.0.3 with the VIP on lo (LVS-DR, arp_ignore/arp_announce).
 * Both directors have the same TCP service VIP:53 (rr); d1 runs the master sync daemon, d2 the backup.
 */
function failoverLab(): Lab {
  const lab = new Lab();
  for (const name of ['client', 'd1', 'd2', 'rs1', 'rs2']) lab.addNode(name, { programs });
  lab.link('client:eth0', 'd1:eth0', 'd2:eth0', 'rs1:eth0', 'rs2:eth0');
  lab.addr('client', 'eth0', '10.0.0.10/24');
  lab.addr('d1', 'eth0', '10.0.0.1/24');
  lab.addr('d1', 'eth0', `${VIP}/32`);
  lab.addr('d2', 'eth0', '10.0.0.4/24');
  for (const [name, address] of [['rs1', '10.0.0.2'], ['rs2', '10.0.0.3']] as const) {
    lab.addr(name, 'eth0', `${address}/24`);
    lab.sysctl(name, 'net.ipv4.conf.all.arp_ignore', 1);
    lab.sysctl(name, 'net.ipv4.conf.all.arp_announce', 2);
    lab.addr(name, 'lo', `${VIP}/32`);
    lab.exec(name, 'tcp-serve 53');
  }
  for (const director of ['d1', 'd2']) {
    registerIpvs(lab.node(director));
    for (const line of [`ipvsadm -A -t ${VIP}:53 -s rr`, `ipvsadm -a -t ${VIP}:53 -r 10.0.0.2 -g`, `ipvsadm -a -t ${VIP}:53 -r 10.0.0.3 -g`]) {
      expect(lab.exec(director, line).status).toBe(0);
    }
  }
  return lab;
}

const connectionRows = (lab: Lab, node: string): string[] => lab.exec(node, 'ipvsadm -L -n -c').stdout.split('\n').slice(2).filter((row) => row !== '');

/** The sync datagrams d1 sent: IPv4 header and UDP payload. */
function syncDatagrams(lab: Lab): { ip: Ipv4Repr; payload: Uint8Array }[] {
  const out: { ip: Ipv4Repr; payload: Uint8Array }[] = [];
  for (const frame of lab.sent('d1', 'eth0')) {
    if (frame.frame[12] !== 0x08 || frame.frame[13] !== 0x00) continue;
    const ip = parseIpv4Packet(frame.frame.subarray(14));
    if (isWireError(ip) || ip.protocol !== 17) continue;
    const udp = parseUdp(ip.payload, { family: 4, source: ip.source, destination: ip.destination });
    if (isWireError(udp) || udp.destinationPort !== 8848) continue;
    out.push({ ip, payload: udp.payload });
  }
  return out;
}

describe('connection synchronisation between a master and a backup director', () => {
  test('the master multicasts established connections to 224.0.0.81:8848 with TTL 1; the backup shows them with the master state and real server', () => {
    const lab = failoverLab();
    expect(lab.exec('d1', 'ipvsadm --start-daemon master --mcast-interface eth0').status).toBe(0);
    expect(lab.exec('d2', 'ipvsadm --start-daemon backup --mcast-interface eth0').status).toBe(0);
    expect(lab.exec('d2', 'ipvsadm -L --daemon').stdout).toBe('backup sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n');
    const chat = lab.exec('client', `tcp-chat ${VIP} 53 3`, 1 * SECOND);
    lab.run(3 * SECOND);
    expect(chat.stdout).toBe('rs2:ping1\nrs2:ping2\nrs2:ping3\n');
    // SYN, ACK, ping1: the third packet (sync_threshold 3) puts the connection in a buffer; sent within 2–3 s.
    const datagrams = syncDatagrams(lab);
    expect(datagrams.length).toBe(1);
    const [first] = datagrams;
    expect(first?.ip.destination).toBe(0xe0000051);
    expect(first?.ip.ttl).toBe(1);
    expect(first?.ip.source).toBe(0x0a000001);
    const message = parseIpvsSyncMessage(first!.payload);
    expect(message).toMatchObject({ syncId: 0, connections: [{ protocol: 6, state: 1, vport: 53, dport: 53, timeout: 900, flags: 0x0083 }] });
    const master = connectionRows(lab, 'd1');
    const backup = connectionRows(lab, 'd2');
    expect(master).toHaveLength(1);
    expect(backup).toHaveLength(1);
    // Same protocol, state, client, virtual and real server; the expiry restarts from the message's timeout.
    expect(backup[0]!.replace(/ \d\d:\d\d /, ' mm:ss ')).toBe(master[0]!.replace(/ \d\d:\d\d /, ' mm:ss '));
    expect(backup[0]).toMatch(/^TCP \d\d:\d\d  ESTABLISHED 10\.0\.0\.10:\d+ +10\.0\.0\.100:53 +10\.0\.0\.3:53$/);
    // The backup counts it on the real server, active, as the master does.
    expect(lab.exec('d2', 'ipvsadm -L -n').stdout.split('\n').slice(4, 6)).toEqual([
      '  -> 10.0.0.2:53                  Route   1      0          0         ',
      '  -> 10.0.0.3:53                  Route   1      1          0         ',
    ]);
  });

  test('after failover (the VIP moved to the backup) an established TCP connection goes on to the same real server through the backup', () => {
    const lab = failoverLab();
    lab.exec('d1', 'ipvsadm --start-daemon master');
    lab.exec('d2', 'ipvsadm --start-daemon backup');
    const chat = lab.exec('client', `tcp-chat ${VIP} 53 10`, 1 * SECOND);
    lab.run(4 * SECOND);
    expect(chat.stdout).toBe('rs2:ping1\nrs2:ping2\nrs2:ping3\nrs2:ping4\nrs2:ping5\n');
    // d1 fails: its link goes down; d2 takes the VIP and announces it.
    lab.exec('d1', 'ip link set eth0 down');
    lab.addr('d2', 'eth0', `${VIP}/32`);
    expect(lab.exec('d2', `garp eth0 ${VIP}`).status).toBe(0);
    lab.run(6 * SECOND);
    expect(chat.stdout.split('\n').filter((line) => line !== '')).toEqual(Array.from({ length: 10 }, (_, i) => `rs2:ping${i + 1}`));
    expect(chat.status).toBe(null);
    const backup = connectionRows(lab, 'd2');
    expect(backup).toHaveLength(1);
    expect(backup[0]).toMatch(/ESTABLISHED 10\.0\.0\.10:\d+ +10\.0\.0\.100:53 +10\.0\.0\.3:53$/);
    // The backup forwarded the later segments itself: they count in its service's statistics.
    const stats = lab.exec('d2', 'ipvsadm -L -n --stats --exact').stdout.split('\n')[3]!;
    expect(Number(stats.trim().split(/\s+/)[3])).toBeGreaterThanOrEqual(5);
  });

  test('without the backup daemon the standby director knows nothing and the connection is not taken over', () => {
    const lab = failoverLab();
    lab.exec('d1', 'ipvsadm --start-daemon master');
    const chat = lab.exec('client', `tcp-chat ${VIP} 53 10`, 1 * SECOND);
    lab.run(4 * SECOND);
    expect(connectionRows(lab, 'd2')).toEqual([]);
    lab.exec('d1', 'ip link set eth0 down');
    lab.addr('d2', 'eth0', `${VIP}/32`);
    lab.exec('d2', `garp eth0 ${VIP}`);
    lab.run(6 * SECOND);
    // A segment that is not a SYN starts no connection on d2: it reaches d2's own (absent) socket and is reset.
    expect(chat.stdout.split('\n').filter((line) => line.startsWith('rs2:'))).toHaveLength(5);
    expect(connectionRows(lab, 'd2')).toEqual([]);
  });

  test('a backup with another syncid ignores the master; --stop-daemon stops the traffic', () => {
    const lab = failoverLab();
    lab.exec('d1', 'ipvsadm --start-daemon master --syncid 7');
    lab.exec('d2', 'ipvsadm --start-daemon backup --syncid 8');
    lab.exec('client', `tcp-chat ${VIP} 53 3`, 1 * SECOND);
    lab.run(4 * SECOND);
    expect(syncDatagrams(lab).length).toBe(1);
    expect(connectionRows(lab, 'd2')).toEqual([]);
    expect(lab.exec('d1', 'ipvsadm --stop-daemon master').status).toBe(0);
    expect(lab.exec('d1', 'ipvsadm -L --daemon').stdout).toBe('');
    const before = syncDatagrams(lab).length;
    lab.exec('client', `tcp-chat ${VIP} 53 3`, 1 * SECOND);
    lab.run(4 * SECOND);
    expect(syncDatagrams(lab).length).toBe(before);
  });

  test('--start-daemon on an interface that does not exist fails as the kernel does (ENODEV)', () => {
    const lab = failoverLab();
    expect(lab.exec('d1', 'ipvsadm --start-daemon master --mcast-interface eth7')).toMatchObject({ stdout: '', stderr: 'No such device\n', status: 255 });
  });
});

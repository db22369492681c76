/**
 * Connection synchronisation on the control plane alone (ip_vs_sync.c as connection-sync.ts cites
 * it): when the master puts a connection into a message, how messages are packed, and what a backup
 * makes of them.
 */
import { parseIpvsSyncMessage, encodeIpvsSyncMessage, type IpvsSyncConnRepr, type IpvsSyncMessageRepr } from '@netloom/wire/ipvs-sync';
import { describe, expect, it } from 'vitest';
import { processSyncMessage, newSyncBackupCounters } from './connection-sync.js';
import { inet4, type InetAddress } from './inet-address.js';
import { Ipvs, type IpvsPacket } from './ipvs.js';
import type { ServiceKey } from './virtual-service.js';

const S = 1e9;
const ip = (text: string): InetAddress => inet4(text.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0));
const VIP = ip('10.0.0.100');
const tcp80 = { kind: 'tcp', address: VIP, port: 80 } satisfies ServiceKey;
const udp53 = { kind: 'udp', address: VIP, port: 53 } satisfies ServiceKey;

function director(persistentTimeout?: number): Ipvs {
  const ipvs = new Ipvs();
  for (const key of [tcp80, udp53]) {
    expect(ipvs.addService(key, { scheduler: 'rr', persistentTimeout })).toBe('ok');
    for (const rs of ['10.0.0.2', '10.0.0.3']) expect(ipvs.addDestination(key, { address: ip(rs), port: key.port, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0 })).toBe('ok');
  }
  return ipvs;
}

const packet = (protocol: 6 | 17, cport: number, f = 'A'): IpvsPacket => ({
  family: 4,
  protocol,
  source: ip('203.0.113.7'),
  sourcePort: cport,
  destination: VIP,
  destinationPort: protocol === 6 ? 80 : 53,
  fwmark: 0,
  ...(protocol === 6 ? { tcp: { syn: f.includes('S'), fin: f.includes('F'), ack: f.includes('A'), rst: false } } : {}),
  length: 60,
});

/** Every message the master has ready at `now` (a partial buffer too), decoded. */
function drain(ipvs: Ipvs, now: number): IpvsSyncMessageRepr[] {
  const out: IpvsSyncMessageRepr[] = [];
  for (let bytes = ipvs.syncMaster!.nextMessage(now, 0); bytes !== undefined; bytes = ipvs.syncMaster!.nextMessage(now, 0)) {
    const message = parseIpvsSyncMessage(bytes);
    if ('error' in message) throw new Error(message.error);
    out.push(message);
  }
  return out;
}

const entries = (messages: IpvsSyncMessageRepr[]): IpvsSyncConnRepr[] => messages.flatMap((m) => m.connections);

function master(persistentTimeout?: number): Ipvs {
  const ipvs = director(persistentTimeout);
  expect(ipvs.startDaemon({ state: 'master', mcastInterface: 'eth0', syncId: 9, syncMaxlen: 0, mcastPort: 0, mcastTtl: 0 })).toBe('ok');
  return ipvs;
}

describe('the master: which packets sync a connection (ip_vs_sync_conn_needed)', () => {
  it('a TCP connection is synced at its 3rd packet, then every 50th (53, 103), not while SYN_RECV', () => {
    const ipvs = master();
    const synced: number[] = [];
    for (let n = 1; n <= 110; n++) {
      ipvs.inbound(packet(6, 40000, n === 1 ? 'S' : 'A'), n * 1e6);
      if (entries(drain(ipvs, n * 1e6)).length > 0) synced.push(n);
    }
    expect(synced).toEqual([3, 53, 103]);
  });

  it('a change into FIN_WAIT, CLOSE_WAIT or TIME_WAIT syncs at once, whatever the count; ESTABLISHED waits for the count', () => {
    const ipvs = master();
    ipvs.inbound(packet(6, 40001, 'S'), 0);
    ipvs.inbound(packet(6, 40001, 'A'), 1e6); // ESTABLISHED at packet 2: not synced (2 % 50 ≠ 3)
    expect(entries(drain(ipvs, 1e6))).toEqual([]);
    ipvs.inbound(packet(6, 40001, 'FA'), 2e6); // direct routing sees the client only: FIN → FIN_WAIT
    const [entry] = entries(drain(ipvs, 2e6));
    expect(entry).toMatchObject({ protocol: 6, state: 4, cport: 40001, vport: 80, dport: 80, flags: 0x0183, timeout: 120 });
    ipvs.inbound(packet(6, 40001, 'A'), 3e6); // still FIN_WAIT, packet 4: nothing
    expect(entries(drain(ipvs, 3e6))).toEqual([]);
  });

  it('UDP syncs at the 3rd datagram; a persistence template goes with every synced connection and on every packet', () => {
    const plain = master();
    const counts = [1, 2, 3, 4].map((n) => {
      plain.inbound(packet(17, 5353), n * 1e6);
      return entries(drain(plain, n * 1e6)).length;
    });
    expect(counts).toEqual([0, 0, 1, 0]);
    const persistent = master(360);
    const kinds = [1, 2, 3].map((n) => {
      persistent.inbound(packet(17, 5353), n * 1e6);
      return entries(drain(persistent, n * 1e6)).map((e) => ((e.flags & 0x1000) !== 0 ? 'template' : 'conn'));
    });
    expect(kinds).toEqual([['template'], ['template'], ['conn', 'template']]);
  });

  it('packs 40 IPv4 entries into a 1472-byte message, queues it when the 41st comes, and keeps a partial buffer until it is 2 s old', () => {
    const woken: number[] = [];
    const host = { deviceMtu: () => 1500, start: () => 'ok' as const, stop: () => {}, wakeMaster: (queued: number) => void woken.push(queued) };
    const withHost = new Ipvs(() => false, host);
    for (const key of [tcp80, udp53]) {
      withHost.addService(key, { scheduler: 'rr' });
      withHost.addDestination(key, { address: ip('10.0.0.2'), port: key.port, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
    }
    expect(withHost.startDaemon({ state: 'master', mcastInterface: 'eth0', syncId: 1, syncMaxlen: 0, mcastPort: 0, mcastTtl: 0 })).toBe('ok');
    for (let c = 0; c < 41; c++) for (let n = 0; n < 3; n++) withHost.inbound(packet(17, 10000 + c), 0);
    expect(woken).toEqual([1]);
    const full = withHost.syncMaster!.nextMessage(0)!;
    expect(full.length).toBe(8 + 40 * 36);
    expect(withHost.syncMaster!.nextMessage(1.999 * S)).toBeUndefined();
    const partial = parseIpvsSyncMessage(withHost.syncMaster!.nextMessage(2 * S)!);
    expect(partial).toMatchObject({ syncId: 1, connections: [{ cport: 10040 }] });
  });
});

describe('the backup (ip_vs_proc_conn)', () => {
  const entry = (overrides: Partial<IpvsSyncConnRepr> = {}): IpvsSyncConnRepr => ({
    protocol: 6,
    flags: 0x0003,
    state: 1,
    cport: 40000,
    vport: 80,
    dport: 80,
    fwmark: 0,
    timeout: 900,
    caddr: ip('203.0.113.7'),
    vaddr: VIP,
    daddr: ip('10.0.0.3'),
    options: new Uint8Array(0),
    ...overrides,
  });
  const send = (backup: Ipvs, conns: IpvsSyncConnRepr[], now: number, syncId = 0, counters = newSyncBackupCounters()) => {
    processSyncMessage(encodeIpvsSyncMessage({ syncId: 5, connections: conns }), syncId, backup, counters, now);
    return counters;
  };
  const dest = (backup: Ipvs, address: string) => backup.findService(tcp80)!.findDestination(ip(address), 80)!;

  it('creates the connection without scheduling, bound to its own real server, with the state and timeout sent', () => {
    const backup = director();
    const counters = send(backup, [entry()], 10 * S);
    expect(counters).toMatchObject({ messagesReceived: 1, connectionsCreated: 1 });
    const [conn] = [...backup.connections.all()];
    expect(conn).toMatchObject({ state: 1, cport: 40000, timeoutNs: 900 * S, expiresAt: 910 * S });
    // SYNC, and the method and NOOUTPUT from the backup's real server; active as the message said.
    expect(conn!.flags).toBe(0x0020 | 0x0080 | 0x0003);
    expect([dest(backup, '10.0.0.3').activeConns, dest(backup, '10.0.0.2').activeConns]).toEqual([1, 0]);
    // The scheduler did not run: rr still starts with its first server, and no new connection was counted.
    expect(backup.totals.conns).toBe(0);
  });

  it('updates INACTIVE (moving the counters), replaces a connection to another server, ignores the old one\'s expiry', () => {
    const backup = director();
    send(backup, [entry()], 0);
    send(backup, [entry({ flags: 0x0103, state: 4, timeout: 120 })], S);
    expect([dest(backup, '10.0.0.3').activeConns, dest(backup, '10.0.0.3').inactConns]).toEqual([0, 1]);
    expect([...backup.connections.all()][0]).toMatchObject({ state: 4, timeoutNs: 120 * S });
    send(backup, [entry({ daddr: ip('10.0.0.2') })], 2 * S);
    expect([...backup.connections.all()].map((c) => c.daddr)).toEqual([ip('10.0.0.2')]);
    expect([dest(backup, '10.0.0.3').inactConns, dest(backup, '10.0.0.2').activeConns]).toEqual([0, 1]);
    const counters = send(backup, [entry({ flags: 0x0103 })], 3 * S);
    expect(counters.connectionsUpdated + counters.connectionsCreated).toBe(0);
    expect([...backup.connections.all()].map((c) => c.daddr)).toEqual([ip('10.0.0.2')]);
  });

  it('filters by syncid, skips entries of unknown protocols or states, and drops malformed messages whole', () => {
    const backup = director();
    expect(send(backup, [entry()], 0, 6)).toMatchObject({ otherSyncIdReceived: 1, connectionsCreated: 0 });
    expect(send(backup, [entry({ protocol: 132 }), entry({ state: 11 }), entry({ protocol: 17, state: 2 })], 0)).toMatchObject({ entriesRejected: 3, connectionsCreated: 0 });
    const counters = newSyncBackupCounters();
    const bytes = encodeIpvsSyncMessage({ syncId: 5, connections: [entry()] });
    processSyncMessage(bytes.subarray(0, bytes.length - 1), 0, backup, counters, 0);
    expect(counters).toMatchObject({ malformedReceived: 1, connectionsCreated: 0 });
    expect(backup.connections.size).toBe(0);
  });

  it('keeps a connection for a real server it does not have unbound, and binds it when the server is there at the next message', () => {
    const backup = director();
    send(backup, [entry({ daddr: ip('10.0.0.9') })], 0);
    const [conn] = [...backup.connections.all()];
    expect(conn?.dest).toBeNull();
    backup.addDestination(tcp80, { address: ip('10.0.0.9'), port: 80, forwarding: 'droute', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
    send(backup, [entry({ daddr: ip('10.0.0.9') })], S);
    expect(conn?.dest).toBe(dest(backup, '10.0.0.9'));
    expect(dest(backup, '10.0.0.9').activeConns).toBe(1);
  });
});

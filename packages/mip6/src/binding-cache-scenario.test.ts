/**
 * The home agent's binding cache per RFC 5648, driven over the network: Binding Updates built as
 * a mobile node sends them leave `mn` (which runs no mip6d here) through the visited routers, and
 * the home agent's Binding Acknowledgements and `mip6d bc` are read back.
 */
import { describe, expect, it } from 'vitest';
import { BindingAckStatus, formatIpv6Number, parseIpv6Number } from '@netloom/wire';
import { buildBindingUpdate, readMobilityPacket, type BindingIdentifierOption } from './mobility-packets.js';
import { CARE_OF_A, CARE_OF_B, HOME_ADDRESS, HOME_AGENT, mcoaLab, MS, SECOND } from './testing/mcoa-lab.js';
import type { Lab } from '@netloom/stack/testing/lab';

const address = (text: string): bigint => parseIpv6Number(text) as bigint;
const CARE_OF_C = '2001:db8:a::c';

/** What the home agent answered: the BA's status and sequence, and each copied BID's status. */
interface Answer {
  status: number;
  sequence: number;
  bids: [number, number][];
}

function homeAgentLab(): { lab: Lab; send(from: string, fields: { sequence: number; lifetime?: number; overwrite?: boolean; bids: BindingIdentifierOption[] }): Answer } {
  const { lab } = mcoaLab();
  lab.run(2 * SECOND);
  expect(lab.exec('ha', 'mip6d').status).toBe(0);
  expect(lab.exec('mn', `ip -6 addr add ${CARE_OF_C}/64 dev eth0 nodad`).status).toBe(0);
  const send = (from: string, fields: { sequence: number; lifetime?: number; overwrite?: boolean; bids: BindingIdentifierOption[] }): Answer => {
    const since = lab.now;
    const packet = buildBindingUpdate({
      source: address(from),
      homeAgent: address(HOME_AGENT),
      homeAddress: address(HOME_ADDRESS),
      sequence: fields.sequence,
      lifetime: fields.lifetime ?? 15,
      overwrite: fields.overwrite ?? false,
      bindingIds: fields.bids,
    });
    const dev = from === CARE_OF_B ? 'eth1' : 'eth0';
    expect(lab.node('mn').parts.ipv6.sendLocal(packet, address(from), address(HOME_AGENT), dev, lab.now)).toBeNull();
    lab.run(100 * MS);
    const acks = [...lab.sent('va', 'eth0', since), ...lab.sent('vb', 'eth0', since)].flatMap((f) => {
      const received = readMobilityPacket(f.frame.subarray(14));
      return 'error' in received || received.message.message.kind !== 'bindingAcknowledgement' ? [] : [received];
    });
    expect(acks.length).toBe(1);
    const ack = acks[0]!;
    expect(formatIpv6Number(ack.destination)).toBe(from);
    const message = ack.message.message as Extract<typeof ack.message.message, { kind: 'bindingAcknowledgement' }>;
    return { status: message.status, sequence: message.sequence, bids: ack.message.options.flatMap((o) => (o.kind === 'bindingIdentifier' ? [[o.bindingId, o.status] as [number, number]] : [])) };
  };
  return { lab, send };
}

function cache(lab: Lab): [number, string][] {
  return [...lab.exec('ha', 'mip6d bc').stdout.matchAll(/bid (\d+) .*\n coa (\S+)/g)].map((m) => [Number(m[1]), m[2] ?? '']);
}

describe('the binding cache over the network (RFC 5648 §6.2)', () => {
  it('bulk-registers two BIDs, refreshes one with a new CoA, deregisters the other alone', () => {
    const { lab, send } = homeAgentLab();
    const bulk = send(CARE_OF_A, { sequence: 1, bids: [{ bindingId: 1, priority: 1, careOfAddress: address(CARE_OF_A) }, { bindingId: 2, priority: 2, careOfAddress: address(CARE_OF_B) }] });
    expect(bulk).toEqual({ status: 0, sequence: 1, bids: [[1, 0], [2, 0]] });
    expect(cache(lab)).toEqual([[1, CARE_OF_A], [2, CARE_OF_B]]);
    // BID 1 from another CoA, no CoA in the option: the source is taken.
    expect(send(CARE_OF_C, { sequence: 2, bids: [{ bindingId: 1, priority: 1 }] }).status).toBe(0);
    expect(cache(lab)).toEqual([[1, CARE_OF_C], [2, CARE_OF_B]]);
    expect(send(CARE_OF_C, { sequence: 3, lifetime: 0, bids: [{ bindingId: 2, priority: 0 }] })).toEqual({ status: 0, sequence: 3, bids: [[2, 0]] });
    expect(cache(lab)).toEqual([[1, CARE_OF_C]]);
  });

  it('answers 133 for an unknown BID, 135 with the last sequence number for an old one, 4 when only some BIDs succeed', () => {
    const { lab, send } = homeAgentLab();
    send(CARE_OF_A, { sequence: 10, bids: [{ bindingId: 1, priority: 1 }] });
    expect(send(CARE_OF_A, { sequence: 11, lifetime: 0, bids: [{ bindingId: 7, priority: 0 }] }).status).toBe(BindingAckStatus.notHomeAgentForThisMobileNode);
    expect(send(CARE_OF_A, { sequence: 5, bids: [{ bindingId: 1, priority: 1 }] })).toMatchObject({ status: BindingAckStatus.sequenceNumberOutOfWindow, sequence: 10 });
    const partial = send(CARE_OF_A, { sequence: 12, lifetime: 0, bids: [{ bindingId: 1, priority: 0 }, { bindingId: 8, priority: 0 }] });
    expect(partial).toEqual({ status: BindingAckStatus.mcoaNotComplete, sequence: 12, bids: [[1, 0], [8, 133]] });
    expect(cache(lab)).toEqual([]);
  });

  it('replaces every binding with the O flag; refuses BIDs next to a binding without one (165) until O is set', () => {
    const { lab, send } = homeAgentLab();
    send(CARE_OF_A, { sequence: 1, bids: [{ bindingId: 1, priority: 1 }] });
    send(CARE_OF_B, { sequence: 2, bids: [{ bindingId: 2, priority: 2 }] });
    expect(send(CARE_OF_C, { sequence: 3, overwrite: true, bids: [{ bindingId: 3, priority: 1 }] }).status).toBe(0);
    expect(cache(lab)).toEqual([[3, CARE_OF_C]]);
    // An RFC 6275 BU (no BID) replaces them with one binding without a BID.
    expect(send(CARE_OF_A, { sequence: 4, bids: [] }).status).toBe(0);
    expect(cache(lab)).toEqual([[0, CARE_OF_A]]);
    expect(send(CARE_OF_B, { sequence: 5, bids: [{ bindingId: 2, priority: 2 }] }).status).toBe(BindingAckStatus.mcoaNonMcoaBindingExists);
    expect(send(CARE_OF_B, { sequence: 6, overwrite: true, bids: [{ bindingId: 2, priority: 2 }] }).status).toBe(0);
    expect(cache(lab)).toEqual([[2, CARE_OF_B]]);
  });

  it('lets a binding expire when it is not refreshed, and drops the proxy entry with it', () => {
    const { lab, send } = homeAgentLab();
    send(CARE_OF_A, { sequence: 1, lifetime: 2, bids: [{ bindingId: 1, priority: 1 }] });
    expect(lab.exec('ha', 'ip -6 neigh show proxy').stdout).toContain(HOME_ADDRESS);
    lab.run(9 * SECOND);
    expect(cache(lab)).toEqual([]);
    expect(lab.exec('ha', 'ip -6 neigh show proxy').stdout).toBe('');
    expect(lab.exec('ha', 'mip6d stats').stdout).toContain('Bindings expired: 1');
  });
});

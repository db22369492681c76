import { describe, expect, it } from 'vitest';
import { Emulator } from './emulator.js';
import { FRAME_OWNERSHIP_NODES } from './testing/specs.js';

const topologies = new URL('../../../topologies/', import.meta.url);

// The shard hands a transmitted frame to its receiver without a copy (shard.ts, transmit): that is
// sound only while no node writes into a frame after transmitting it. Each scenario runs with every
// frame checked on arrival against its bytes as transmitted (testing/frame-ownership-node.ts):
// routers forwarding in place, ARP and ND, ICMP errors, TCP retransmissions, IPVS NAT/DR/TUN,
// Mobile IPv6 tunnels, fragments.
describe('frames handed to the runtime', () => {
  for (const file of ['router-chain.yaml', 'lvs-nat.yaml', 'lvs-dr.yaml', 'lvs-tun.yaml', 'one-net-redirect.yaml', 'ipv6-slaac.yaml', 'mip6-route-optimisation.yaml']) {
    it(`${file}: no node writes into a frame after transmitting it`, async () => {
      const emulator = await Emulator.load(new URL(file, topologies).pathname, { placement: 'inline', nodeFactory: FRAME_OWNERSHIP_NODES });
      try {
        const report = await emulator.run();
        expect(report.expectations.filter((e) => !e.passed).map((e) => e.message)).toEqual([]);
      } finally {
        await emulator.close();
      }
      // One run of each topology at every NETLOOM_TEST_SCALE (each is its own kind of traffic);
      // together about 3.6 s inline: the package's test timeout.
    });
  }
});

/**
 * The default node factory: a node of @netloom/stack running the programs of @netloom/apps, with
 * the files its topology gives it (`hosts:`, `gai.conf:`) and the router advertisements of its
 * `ra:` block (the stack's radvd, ipv6/router-advertiser.ts), and IPVS (@netloom/lvs) with a
 * director's `healthcheck:` checkers, and Mobile IPv6 (@netloom/mip6: `mip6d`, started by a `mip6:` block),
 * with a reader of both parts' state for the TUI (module-state.ts). Loaded by URL inside each shard (see node-factory.ts).
 */
import type { NodePlacement } from '@netloom/ipc';
import type { RaInterfaceConfig } from '@netloom/wire/ra-config';
import { programs } from '@netloom/apps';
import { createNode, type NodeConfig, type NodeEnvironment } from '@netloom/stack';
import { installIpvs } from '@netloom/lvs/datapath/director';
import { mip6Of, registerMip6 } from '@netloom/mip6';
import type { ModuleState, ReportingNode } from './node-factory.js';
import { ipvsState, mobilityState } from './module-state.js';

export function createRealNode(node: NodePlacement, config: NodeConfig, env: NodeEnvironment): ReportingNode {
  // The topology loader filled in every setting of an ra: block (radvd's defaults): the placement carries them as they are.
  const routerAdvertisements = node.routerAdvertisements as RaInterfaceConfig[] | undefined;
  const created = createNode(
    {
      ...config,
      ...(node.files !== undefined ? { files: node.files } : {}),
      ...(routerAdvertisements !== undefined && routerAdvertisements.length > 0 ? { routerAdvertisements } : {}),
      ...(node.ndiscProbes === true ? { ndiscProbes: true } : {}),
    },
    env,
    programs,
  );
  // IPVS on every node as a module loaded on first use; a director's healthcheck: block loads it and starts the checkers.
  const ipvs = installIpvs(created, node.healthChecks ?? []);
  // Mobile IPv6 on every node as a module `mip6d` loads (a mip6: block's /etc/mip6d.conf and startup line).
  registerMip6(created, config.compat ?? {});
  return {
    host: created,
    // What the TUI shows of a director and a mobile node or home agent (module-state.ts).
    moduleState(now): ModuleState {
      const loaded = ipvs();
      const mobility = mip6Of(created);
      const bindings = mobility === undefined ? null : mobilityState(mobility, now);
      return { ...(loaded !== undefined ? { ipvs: ipvsState(loaded.ipvs) } : {}), ...(bindings !== null ? { mobility: bindings } : {}) };
    },
  };
}

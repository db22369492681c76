/**
 * The one list of netloom's compatibility settings: named behaviours of older systems that a seed
 * describes, chosen per node (`compat: [netbsd-2004]` in a topology). Default is modern Linux.
 *
 * Everything that knows the settings reads this list: the topology schema (which names a topology
 * may give), the stack (`CompatSettings`, the per-node switches), the runtime (names to switches)
 * and docs/compatibility.md, whose `## \`NAME\` — TITLE` sections a test holds to `name` and
 * `title` here. It lives in wire, the lowest package, because topology and stack both read it.
 * Leaves out: what each setting does (the stack's modules named in `implementedIn`).
 */

export interface CompatSettingInfo {
  /** The name a topology uses. */
  readonly name: string;
  /** The heading of its section in docs/compatibility.md, after the name. */
  readonly title: string;
  /** What it changes, in one sentence. */
  readonly meaning: string;
  /** The stack module that implements it. */
  readonly implementedIn: string;
}

export const COMPAT_SETTING_INFO = [
  {
    name: 'netbsd-2004',
    title: 'sockets that cache their route (seed 000)',
    meaning: "UDP sockets keep their route and the source address of the route's interface and revalidate them lazily, as NetBSD-current of April 2004 did.",
    implementedIn: 'packages/stack/src/sockets/udp-socket.ts',
  },
  {
    name: 'static-routes-survive-down',
    title: 'the seed 002 static-routes patch',
    meaning: '`proto static` routes stay in their table, marked dead, while their device is down, and work again when it comes up (Julian Anastasov\'s patch).',
    implementedIn: 'packages/stack/src/kernel/fib-semantics.ts',
  },
  {
    name: 'mip6-bu-first-default-route',
    title: 'binding updates leave by the first default route (seed 001)',
    meaning: "A mobile node's Binding Updates leave by the interface the route lookup alone picks (the first default route's), whatever IPV6_PKTINFO's interface index asks, as the MCoA patch's kernel sent them.",
    implementedIn: 'packages/mip6/src/mobile-node.ts',
  },
  {
    name: 'mip6-checksum-over-coa',
    title: 'the Mobility Header checksum over the care-of address (seed 001)',
    meaning: "A mobile node computes its Binding Updates' Mobility Header checksum with the care-of address as the pseudo-header source, as rawv6_push_pending_frames did with a source given in IPV6_PKTINFO; the home agent drops them.",
    implementedIn: 'packages/mip6/src/mobile-node.ts',
  },
  {
    name: 'mip6-hao-swaps-source',
    title: 'the Home Address option swaps the source (seed 001)',
    meaning: "Every Binding Update a mobile node sends leaves with the care-of address of its first binding (the XFRM state's) as source, whichever care-of address it registers, as mip6.c's Home Address option insertion did.",
    implementedIn: 'packages/mip6/src/mobile-node.ts',
  },
] as const satisfies readonly CompatSettingInfo[];

export type CompatSettingName = (typeof COMPAT_SETTING_INFO)[number]['name'];

/** The names, in the order of the list (the topology schema's enum). */
export const COMPAT_SETTING_NAMES = COMPAT_SETTING_INFO.map((setting) => setting.name) as unknown as readonly [CompatSettingName, ...CompatSettingName[]];

/** Per-node switches: a setting is on when its name maps to true. */
export type CompatSettings = { readonly [K in CompatSettingName]?: boolean };

export function isCompatSettingName(name: string): name is CompatSettingName {
  return (COMPAT_SETTING_NAMES as readonly string[]).includes(name);
}

/** The switches for a list of names (unknown names are the topology loader's error, not ours: they throw). */
export function compatSettingsOf(names: readonly string[]): CompatSettings {
  const settings: { [K in CompatSettingName]?: boolean } = {};
  for (const name of names) {
    if (!isCompatSettingName(name)) throw new RangeError(`unknown compatibility setting ${JSON.stringify(name)}`);
    settings[name] = true;
  }
  return settings;
}

/**
 * @netloom/topology: topology files (YAML) → validated, normalised TopologySpec, with
 * file:line:column errors, and the JSON Schema editors use to validate topology files.
 */
export type {
  Endpoint,
  EventSpec,
  ExpectSpec,
  InterfaceSpec,
  LanSpec,
  LinkChangeSpec,
  LinkParams,
  LinkSpec,
  Matcher,
  NodeFileSpec,
  NodeKind,
  NodeSpec,
  RaInterfaceConfig,
  RaPrefixConfig,
  SourcePosition,
  TopologySpec,
} from './spec.js';
export { TopologyError, formatIssue, type TopologyIssue } from './errors.js';
export { checkTopology, loadTopologyFile, parseTopology, type TopologyResult } from './load.js';
export { parseExecLine, type ExecLine } from './exec-line.js';
export { configuresIpv6, isIpv6Command } from './ipv6-use.js';
export { DEFAULT_LINK_PARAMS, DEFAULT_SEED } from './build.js';
export { NODE_KINDS, COMPAT_SETTINGS, LINK_NUMBER_LIMITS, topologySchema } from './schema.js';
export { describeMatcher, matches, parseMatcher } from './matcher.js';
export { formatBandwidth, formatDuration, parseBandwidth, parseDuration, parseLoss } from './units.js';

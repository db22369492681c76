export { PROTOCOL_VERSION } from './messages.js';
export type {
  Control,
  ControllerMessage,
  CloseMessage,
  DoneMessage,
  ExitRecord,
  FrameEnvelope,
  HealthCheckPlacement,
  InterfacePlacement,
  LinkChangeRecord,
  LinkParamsRecord,
  LinkPlacement,
  NodeFactoryRef,
  NodePlacement,
  NodeStateRecord,
  OutputRecord,
  PortPlacement,
  PortStateRecord,
  ReadyMessage,
  SettledMessage,
  SettleMessage,
  ShardFailure,
  ShardMessage,
  StartMessage,
  TraceKindRecord,
  TraceRecord,
  WindowDoneMessage,
  WindowMessage,
} from './messages.js';
export { IPVS_SERVICES_SHOWN, IPVS_REAL_SERVERS_SHOWN, BINDINGS_SHOWN } from './module-state.js';
export type { BindingRecord, IpvsRatesRecord, IpvsRealServerRecord, IpvsServiceRecord, IpvsStateRecord, MobilityStateRecord } from './module-state.js';
export { encodeMessage, decodeControllerMessage, decodeShardMessage, ProtocolError } from './codec.js';

// What a RAN agent backend is: the code that drives one kind of base station on the agent's
// host (the twin's emulated gNB, an srsRAN Project gNB, later OAI and srsRAN 4G). The agent
// serves proto/e2.proto and holds the lease; the backend turns E2 setup, control and KPM
// subscriptions into what its base station understands, and knows its radio's safe state.
import type { TlsFiles } from '../../certs/index.js';
import type { KpmStream, WireClockAck, WireClockAdvance, WireControlAck, WireControlRequest, WireSetupResponse } from '../../wire/index.js';

/** The part of every agent configuration file the agent itself reads. */
export interface AgentSettings {
  /** The base station's rig id: the E2 global node id, and the name its certificate carries. */
  nodeId: string;
  operator: string;
  /** host:port to serve E2 on (port 0: any free port). */
  listen: string;
  /** Mutual TLS: the lab CA (clients must hold a certificate it signed), this agent's certificate and key. */
  tls: TlsFiles;
  /** The lease, ms: with no call from the controller for this long the radio goes to its safe state. */
  leaseMs: number;
}

export interface RanBackend {
  /** Bring the base station to its initial state (cells off, or the gNB ready but idle). */
  start(): Promise<void>;
  setup(): WireSetupResponse;
  control(req: WireControlRequest, client: string): WireControlAck | Promise<WireControlAck>;
  subscribe(call: KpmStream): void;
  /** Twin only: advance a node on virtual time (proto/e2.proto, Advance). */
  advance?(req: WireClockAdvance): Promise<WireClockAck>;
  /** The radio's safe state (nothing on air: cells off, the gNB stopped), reason logged. */
  safeState(reason: string): Promise<void>;
  /** Safe state, streams ended, everything the backend started stopped. Idempotent. */
  stop(): Promise<void>;
}

/** A backend as the registry lists it: its name, what it can apply, and how to make one. */
export interface BackendDefinition {
  /** The name `ranlab ran-agent --backend <name>` and the rig's `driver` use. */
  name: string;
  summary: string;
  /**
   * What the plan may ask of it: `prb-range` (any contiguous PRB range of the configured
   * carrier) or `carrier-and-ratio` (a carrier of standard bandwidth, changed by restart, plus
   * a PRB ratio quota inside it).
   */
  grants: 'prb-range' | 'carrier-and-ratio';
  /**
   * Validate the whole configuration file (the agent's settings included; errors name `source`
   * and the path) and make the backend. Heavy modules are imported here, not at the top of the
   * definition's file: the rig schema reads the registry and must stay light.
   */
  create(raw: unknown, source: string, settings: AgentSettings): Promise<RanBackend>;
}

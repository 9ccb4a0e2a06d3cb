// harness/ran: base-station drivers. Others use the BaseStation interface and the driver
// factories exported here; the wire details stay inside the drivers.
import { E2BaseStation, type E2BaseStationOptions } from './e2.js';
import type { BaseStation } from './types.js';

export type {
  BaseStation,
  CellInfo,
  ControlAck,
  ControlAction,
  KpmIndication,
  KpmSubscription,
  RanFunction,
  SetupInfo,
  ShutdownOutcome,
  UeKpm,
} from './types.js';
export {
  E2BaseStation,
  createE2BaseStation,
  KPM_RAN_FUNCTION,
  RC_RAN_FUNCTION,
  MIN_KPM_PERIOD_MS,
  MAX_KPM_PERIOD_MS,
  type E2BaseStationOptions,
  type E2SubscriptionStats,
} from './e2.js';
export { AgentProtocolError, DEFAULT_MAX_CLOCK_SKEW_MS, type ExpectedNode } from './e2-validate.js';
export { NR_SCS_KHZ, peakRateKbps } from './bounds.js';
export type { OnCellStateChange } from './drift.js';

/**
 * A BaseStation for an agent speaking proto/e2.proto at `address` (host:port): the twin's
 * base stations and E2-style agents on lab hosts. `id` is the rig's name for it.
 */
export function createBaseStation(id: string, address: string, opts: Omit<E2BaseStationOptions, 'id' | 'address'> = {}): BaseStation {
  return new E2BaseStation({ ...opts, id, address });
}

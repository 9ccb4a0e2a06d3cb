// The modem's state at a glance (`ranlab ue <rig> <ue> status`): each part read on its own,
// and a part that cannot be read named in `errors` instead of ending the read.
import { messageOf } from '../../errors.js';
import type { BandLock, DataSession, PowerState, Registration, ServingCell, Ue, UeHealth, UeIdentity } from '../types.js';

export interface UeStatus {
  id: string;
  port: string;
  health: UeHealth;
  identity: UeIdentity | null;
  power: PowerState | null;
  registration: Registration | null;
  serving: ServingCell | null;
  dataSession: DataSession | null;
  bandLock: BandLock | null;
  /** What could not be read, by field. */
  errors: Record<string, string>;
}

type StatusSource = Pick<Ue, 'id' | 'health' | 'identity' | 'power' | 'registration' | 'servingCell' | 'dataSession' | 'bandLock'>;

export async function readStatus(ue: StatusSource, port: string): Promise<UeStatus> {
  const errors: Record<string, string> = {};
  const get = async <T>(name: string, f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch (err) {
      errors[name] = messageOf(err);
      return null;
    }
  };
  const identity = await get('identity', () => ue.identity());
  const power = await get('power', () => ue.power());
  const registration = await get('registration', () => ue.registration());
  const serving = await get('serving', () => ue.servingCell());
  const dataSession = await get('dataSession', () => ue.dataSession());
  const bandLock = await get('bandLock', () => ue.bandLock());
  return { id: ue.id, port, health: ue.health, identity, power, registration, serving, dataSession, bandLock, errors };
}

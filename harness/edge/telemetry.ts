// What the edge host's Status reports: its GPUs through NVML where the driver is present,
// CPU figures always (load, cores, free memory).
import { cpus, freemem, loadavg } from 'node:os';
import { messageOf } from '../errors.js';
import { openNvml, type Nvml } from '../../native/index.js';
import type { WireGpuStatus } from './wire.js';

export interface HostTelemetry {
  gpus(): Promise<WireGpuStatus[]>;
  readonly nvmlNote: string;
  cpu(): { cpuCount: number; load1: number; memFreeMib: number };
  close(): Promise<void>;
}

export async function openTelemetry(): Promise<HostTelemetry> {
  let nvml: Nvml | null = null;
  let note = '';
  try {
    nvml = await openNvml();
    note = `NVML driver ${nvml.driverVersion() ?? 'unknown'}`;
  } catch (err) {
    note = `NVML not available: ${messageOf(err)}`;
  }
  const mib = (b?: number) => (b === undefined ? 0 : b / 2 ** 20);
  return {
    nvmlNote: note,
    async gpus() {
      if (!nvml) return [];
      return (await nvml.sample()).map((s) => ({
        index: s.index,
        name: s.name,
        utilPct: s.utilGpuPct ?? 0,
        memUsedMib: mib(s.memUsedBytes),
        memTotalMib: mib(s.memTotalBytes),
        temperatureC: s.temperatureC ?? 0,
        powerW: s.powerW ?? 0,
      }));
    },
    cpu: () => ({ cpuCount: cpus().length, load1: loadavg()[0]!, memFreeMib: freemem() / 2 ** 20 }),
    close: async () => {
      await nvml?.close();
    },
  };
}

// Backend `srsran-project`: an srsRAN Project gNB (25.10; 25.04 through its UDP metrics),
// managed (the agent runs it) or attached (the lab runs it). See harness/ran/srsran/.
import type { BackendDefinition, RanBackend } from '../backend.js';

export const srsranProjectBackend: BackendDefinition = {
  name: 'srsran-project',
  summary: 'an srsRAN Project gNB: YAML, process, remote-control WebSocket, JSON metrics',
  grants: 'carrier-and-ratio',
  async create(raw, source, settings): Promise<RanBackend> {
    const { parseSrsranConfig } = await import('../../srsran/config.js');
    const { SrsranProjectBackend } = await import('../../srsran/backend.js');
    const { nodeId: _n, operator: _o, listen: _l, tls: _t, ...rest } = raw as Record<string, unknown>;
    return new SrsranProjectBackend(parseSrsranConfig(rest, source), settings);
  },
};

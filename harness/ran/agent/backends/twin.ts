// Backend `twin`: the digital twin's emulated gNB (harness/twin/gnb). Any PRB range of its
// configured carrier can be applied at run time; the safe state is every cell off.
import type { BackendDefinition, RanBackend } from '../backend.js';

export const twinBackend: BackendDefinition = {
  name: 'twin',
  summary: "the digital twin's emulated gNB (radio model, shared air)",
  grants: 'prb-range',
  async create(raw, source): Promise<RanBackend> {
    const { parseTwinGnbConfig, TwinGnb } = await import('../../../twin/gnb.js');
    const gnb = new TwinGnb(parseTwinGnbConfig(raw, source));
    return {
      start: () => gnb.start(),
      setup: () => gnb.setup(),
      control: (req, client) => gnb.control(req, client),
      subscribe: (call) => gnb.subscribe(call),
      advance: (req) => gnb.advance(req),
      safeState: () => gnb.safeState(),
      stop: () => gnb.stop(),
    };
  },
};

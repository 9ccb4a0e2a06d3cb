// The backends this build has, one line each (labgrid registers drivers the same way). The
// rig schema's list of base-station drivers comes from here: adding a backend is one new file
// under backends/ and one line below.
import type { BackendDefinition } from './backend.js';
import { srsranProjectBackend } from './backends/srsran-project.js';
import { twinBackend } from './backends/twin.js';

export const BACKENDS: readonly BackendDefinition[] = [
  twinBackend,
  srsranProjectBackend,
];

/** Base-station drivers a rig may name: each backend (its agent), and `e2` (any agent already serving E2 at `address`). */
export const BASESTATION_DRIVERS = ['e2', ...BACKENDS.map((b) => b.name)] as [string, ...string[]];

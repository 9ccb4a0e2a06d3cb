// The inference engine's process entry (HeadEngine.start forks it, over IPC).
import { serveEngine } from './engine.js';

if (!process.send) {
  process.stderr.write('the inference engine runs only as a UE host\'s child (over IPC)\n');
  process.exit(2);
}
serveEngine();

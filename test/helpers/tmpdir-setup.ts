// Every test's temporary folders go under one folder per `npm test` run, removed when the run
// ends: os.tmpdir() follows TMPDIR, which the test workers and what they start inherit. The
// folder is world-writable with the sticky bit, as /tmp is (tests run some children as nobody).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'ranlab-test-'));
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

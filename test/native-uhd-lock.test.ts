// The process-wide UHD call lock (native/uhd/lock.ts): exclusive tasks run alone, shared tasks
// overlap each other but never an exclusive one, waiters enter in arrival order.
import { describe, expect, it } from 'vitest';
import { UhdCallLock, uhdCallLock } from '../native/uhd/lock.js';

function gate(): { open: () => void; wait: Promise<void> } {
  let open = () => {};
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

describe('UhdCallLock', () => {
  it('shared tasks overlap; an exclusive task waits for them and holds back later shared ones', async () => {
    const lock = new UhdCallLock();
    const log: string[] = [];
    const g = gate();
    const s1 = lock.run('shared', async () => {
      log.push('s1 in');
      await g.wait;
      log.push('s1 out');
    });
    const s2 = lock.run('shared', () => log.push('s2'));
    const x = lock.run('exclusive', () => log.push('x'));
    const s3 = lock.run('shared', () => log.push('s3'));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['s1 in', 's2']); // x waits for s1; s3 waits behind x
    g.open();
    await Promise.all([s1, s2, x, s3]);
    expect(log).toEqual(['s1 in', 's2', 's1 out', 'x', 's3']);
    expect(lock.idle).toBe(true);
  });

  it('exclusive tasks never overlap, and a failing task releases the lock', async () => {
    const lock = new UhdCallLock();
    let inside = 0;
    let most = 0;
    const task = (fail: boolean) =>
      lock.run('exclusive', async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 1));
        inside--;
        if (fail) throw new Error('boom');
      });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => task(i % 3 === 0)));
    expect(most).toBe(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
    expect(lock.idle).toBe(true);
  });

  it('is one lock per process, whichever copy of the module asks', async () => {
    const copy = (await import('../native/uhd/lock.js?copy' as string)) as typeof import('../native/uhd/lock.js');
    expect(copy.UhdCallLock).not.toBe(UhdCallLock); // a second module instance...
    expect(copy.uhdCallLock()).toBe(uhdCallLock()); // ...that finds the same lock
  });
});

// The serial port itself: opening it with a typed error, closing it quietly, and noticing
// that its device node went away.
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { ComponentError } from '../../errors.js';

/** Opens `path`; ComponentError UE_UNREACHABLE (naming the UE and path) when it cannot. */
export async function openSerial(ue: string, path: string, baudRate: number): Promise<SerialPort> {
  if (!existsSync(path)) throw new ComponentError(ue, `modem port ${path} does not exist`, 'UE_UNREACHABLE');
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new ComponentError(ue, `cannot open ${path}: ${err.message}`, 'UE_UNREACHABLE', { cause: err })) : resolve())),
  );
  return port;
}

export async function closeQuietly(p: SerialPort): Promise<void> {
  if (!p.isOpen) return;
  await new Promise<void>((resolve) => p.close(() => resolve()));
}

/**
 * Unplugging removes the device node (and its by-id link). A read error tells serialport so
 * at once for a USB tty; a pty whose other side went away only reads end-of-file, which
 * serialport retries without end, and is noticed at the next write. So also look for the
 * path itself, twice a second while `current()` says the port is still the one in use.
 */
export function watchPresence(path: string, current: () => boolean, gone: () => void): void {
  const timer = setInterval(() => {
    if (!current()) return clearInterval(timer);
    if (existsSync(path)) return;
    clearInterval(timer);
    gone();
  }, 500);
  timer.unref();
}

// The opening sequence: the port, the AT channel on it (echo on and resynchronised: pairing
// replies with commands relies on it), then the driver's settings (configure.ts).
import type { SerialPort } from 'serialport';
import { ComponentError, messageOf } from '../../errors.js';
import { AtChannel } from './channel.js';
import { log, type ModemCore } from './core.js';
import { configure } from './configure.js';
import { UeDisconnectedError } from './errors.js';
import { closeQuietly, openSerial, watchPresence } from './serial.js';
import { handleUrc } from './urc.js';

/** Called when `port` closes under the driver (or its device node is gone). */
export type PortClosed = (port: SerialPort, err: Error | null) => void;

/** Opens the port and channel into `core`; on failure leaves neither and throws ComponentError. */
export async function openPort(core: ModemCore, onClosed: PortClosed): Promise<void> {
  const { id, opts } = core;
  const path = opts.port;
  const port = await openSerial(id, path, opts.baudRate ?? 115200);
  const channel = new AtChannel({
    name: id,
    write: (d) => {
      port.write(d, 'latin1');
    },
    onUrc: (line) => handleUrc(core, line),
    onNoise: (line, why) => log.debug({ ue: id, line: line.slice(0, 120), why }, 'AT line attributed to nothing'),
    slackMs: opts.slackMs,
  });
  port.on('data', (b: Buffer) => channel.feed(b));
  port.on('error', (err) => log.debug({ ue: id, err: err.message }, 'serial port error'));
  port.on('close', (err?: Error | null) => onClosed(port, err ?? null));
  core.port = port;
  watchPresence(
    path,
    () => core.port === port,
    () => {
      onClosed(port, new Error(`${path} is gone`));
      void closeQuietly(port);
    },
  );
  core.channel = channel;
  try {
    await channel.resync();
    if (core.configureOnOpen) await configure(core, channel);
  } catch (err) {
    core.channel = null;
    channel.close(new UeDisconnectedError(id, 'open failed'));
    core.port = null;
    await closeQuietly(port);
    throw err instanceof ComponentError ? err : new ComponentError(id, `modem on ${path} does not answer: ${messageOf(err)}`, 'UE_UNREACHABLE', { cause: err });
  }
}

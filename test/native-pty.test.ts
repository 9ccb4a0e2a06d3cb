// Real pseudo-terminals (libc openpty through koffi), driven from the client side by the real
// `serialport` package, as the UE driver will drive the twin modem.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { openPty, type Pty } from '../native/pty.js';

const opened: Pty[] = [];
function newPty(...args: Parameters<typeof openPty>): Pty {
  const p = openPty(...args);
  opened.push(p);
  return p;
}
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
});

async function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port;
}
async function closePort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return;
  await new Promise<void>((resolve, reject) => port.close((err) => (err ? reject(err) : resolve())));
}

/** Collect `n` bytes from a readable emitter (stream or SerialPort). */
function collect(src: NodeJS.EventEmitter, n: number, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => {
      src.off('data', onData);
      reject(new Error(`timeout: got ${got} of ${n} bytes: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 80))}`));
    }, timeoutMs);
    const onData = (b: Buffer) => {
      chunks.push(b);
      got += b.length;
      if (got >= n) {
        clearTimeout(timer);
        src.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    src.on('data', onData);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('openPty', () => {
  it('gives a /dev/pts slave path and a master fd', () => {
    const pty = newPty();
    expect(pty.slavePath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(Number.isInteger(pty.masterFd)).toBe(true);
    expect(fs.statSync(pty.slavePath).isCharacterDevice()).toBe(true);
  });

  it('exchanges bytes with serialport in both directions, untranslated and without echo', async () => {
    const pty = newPty();
    const port = await openPort(pty.slavePath);
    try {
      const fromClient = collect(pty.stream, 6);
      port.write('AT\rI\n\r');
      expect((await fromClient).toString('latin1')).toBe('AT\rI\n\r');

      const toClient = collect(port, 6);
      pty.stream.write('\r\nOK\r\n');
      expect((await toClient).toString('latin1')).toBe('\r\nOK\r\n');

      // nothing echoed back to the master
      let extra = 0;
      const onData = (b: Buffer) => (extra += b.length);
      pty.stream.on('data', onData);
      await sleep(100);
      pty.stream.off('data', onData);
      expect(extra).toBe(0);
    } finally {
      await closePort(port);
    }
  });

  it('the slave is raw even for a client that sets nothing (plain fs open)', async () => {
    const pty = newPty();
    const fd = fs.openSync(pty.slavePath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    try {
      const fromClient = collect(pty.stream, 4);
      fs.writeSync(fd, 'x\ry\n');
      expect((await fromClient).toString('latin1')).toBe('x\ry\n');
      pty.stream.write(Buffer.from([0x0d, 0x0a, 0x03, 0xff, 0x0a]));
      await sleep(50);
      const buf = Buffer.alloc(16);
      const n = fs.readSync(fd, buf);
      expect([...buf.subarray(0, n)]).toEqual([0x0d, 0x0a, 0x03, 0xff, 0x0a]);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('moves 256 KiB each way with backpressure (no loss, no reordering)', async () => {
    const pty = newPty();
    const port = await openPort(pty.slavePath);
    try {
      const size = 256 * 1024;
      const down = Buffer.alloc(size);
      for (let i = 0; i < size; i++) down[i] = (i * 31 + 7) & 0xff;
      const up = Buffer.from(down).reverse();

      const gotDown = collect(port, size, 20_000);
      const gotUp = collect(pty.stream, size, 20_000);
      for (let off = 0; off < size; off += 4096) pty.stream.write(down.subarray(off, off + 4096));
      port.write(up);
      expect((await gotDown).equals(down)).toBe(true);
      expect((await gotUp).equals(up)).toBe(true);
    } finally {
      await closePort(port);
    }
  });

  it('survives clients closing and reopening the slave (keepSlaveOpen default)', async () => {
    const pty = newPty();
    let hangups = 0;
    pty.on('hangup', () => hangups++);
    for (let round = 0; round < 3; round++) {
      const port = await openPort(pty.slavePath);
      const got = collect(pty.stream, 5);
      port.write(`AT+${round}\r`);
      expect((await got).toString()).toBe(`AT+${round}\r`);
      const back = collect(port, 4);
      pty.stream.write('OK\r\n');
      expect((await back).toString()).toBe('OK\r\n');
      await closePort(port);
    }
    expect(hangups).toBe(0);
    expect(pty.stream.destroyed).toBe(false);
  });

  it('a second serialport open of the same slave fails while the first holds its lock', async () => {
    const pty = newPty();
    const port = await openPort(pty.slavePath);
    try {
      await expect(openPort(pty.slavePath)).rejects.toThrow(/lock/i);
    } finally {
      await closePort(port);
    }
  });

  it('with keepSlaveOpen false: connect on open, hangup when the client closes, no busy loop', async () => {
    const pty = newPty({ keepSlaveOpen: false });
    expect(pty.isHungUp).toBe(true);
    pty.stream.resume(); // reading wanted while hung up must not spin on EIO
    const events: string[] = [];
    pty.on('hangup', () => events.push('hangup'));
    pty.on('connect', () => events.push('connect'));
    for (let round = 0; round < 2; round++) {
      const port = await openPort(pty.slavePath);
      await sleep(150);
      expect(pty.isHungUp).toBe(false);
      const got = collect(pty.stream, 3);
      port.write('AT\r');
      expect((await got).toString()).toBe('AT\r');
      await closePort(port);
      await sleep(150);
      expect(pty.isHungUp).toBe(true);
    }
    expect(events).toEqual(['connect', 'hangup', 'connect', 'hangup']);
    // CPU while hung up stays low (no poll storm on EIO)
    const before = process.cpuUsage();
    await sleep(300);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(150);
  });

  it('close() is idempotent; the serialport client is closed by its next write', async () => {
    // serialport 13 reads EOF from a slave whose master closed and retries at once (bindings-cpp
    // issue 162): it notices the loss only when a write fails with EIO. The UE driver's next AT
    // command does that.
    const pty = newPty();
    const port = await openPort(pty.slavePath);
    const closed = new Promise<unknown[]>((resolve) => port.once('close', (...a: unknown[]) => resolve(a)));
    port.on('error', () => {});
    pty.close();
    pty.close();
    const writeErr = await new Promise<Error | null | undefined>((resolve) => port.write('AT\r', resolve));
    expect(writeErr?.message).toMatch(/EIO|input\/output/i);
    await closed; // serialport closes the port (the write error also destroys its stream)
    expect(port.isOpen).toBe(false);
    expect(pty.stream.destroyed).toBe(true);
    expect(() => fs.fstatSync(pty.masterFd)).toThrow();
  });

  it('a plain client sees EOF on read and EIO on write after close()', async () => {
    const pty = newPty();
    const fd = fs.openSync(pty.slavePath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    try {
      pty.close();
      expect(fs.readSync(fd, Buffer.alloc(8))).toBe(0);
      expect(() => fs.writeSync(fd, 'x')).toThrow(/EIO/);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('fds are close-on-exec: a child process inherits neither side', () => {
    const pty = newPty();
    const listing = execFileSync('sh', ['-c', 'ls -l /proc/$$/fd'], { encoding: 'utf8' });
    expect(listing).not.toContain(pty.slavePath);
    expect(listing).not.toContain('ptmx');
  });
});

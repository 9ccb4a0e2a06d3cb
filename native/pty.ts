// A real pseudo-terminal pair (libc `openpty` through koffi), the master side as a Node Duplex.
//
// What this is for: the twin modem sits on the master side and speaks AT; the UE driver opens
// `slavePath` (e.g. /dev/pts/7) with the `serialport` package exactly as it opens /dev/ttyUSB2.
//
//   const pty = openPty();
//   pty.stream.on('data', (b) => ...);      // bytes the client wrote to slavePath
//   pty.stream.write('\r\nOK\r\n');         // bytes the client reads from slavePath
//   pty.close();                            // idempotent; the client then sees EOF / EIO
//
// While its stream is being read, an open Pty keeps the process alive (like a socket): close() it.
//
// Behaviour (checked on Linux 6.x, glibc 2.36):
// - The slave is put in raw mode (cfmakeraw: no echo, no CR/LF translation, no signals, 8 bits)
//   before anyone opens it, so any client sees bytes exactly as the master writes them.
//   serialport also sets raw mode and flushes both queues (TCIOFLUSH) when it opens the port.
// - Both fds are close-on-exec (children never inherit them) and the master is non-blocking;
//   reads and writes are driven by a libuv poll on the master (koffi.node.poll), so nothing
//   blocks the event loop or occupies a threadpool thread (fs.createReadStream would park a
//   threadpool thread in a blocking read(), and on a non-blocking fd it fails with EAGAIN).
// - keepSlaveOpen (default true): this process holds a slave fd for the pty's lifetime, like a
//   real serial port that exists whether or not a program has it open. Clients may open and
//   close slavePath any number of times; the master never sees a hang-up. Bytes written while
//   no client is connected wait in the tty queue (about 20 KiB on Linux, then writes wait,
//   honouring stream backpressure) and are discarded by the next serialport open (TCIOFLUSH).
// - keepSlaveOpen false: once the last client closes the slave, read() on the master fails with
//   EIO (and poll reports it readable for ever). The pty then emits 'hangup', stops polling and
//   probes every 50 ms; when a client opens the slave again it emits 'connect' and resumes.
//   Writes while hung up are accepted and queued by the kernel (the next client gets them
//   unless it flushes on open). Right after openPty() nobody has the slave open: 'connect'
//   fires on the first open.
// - After close(): the client's reads return EOF (0 bytes) and its writes fail with EIO.
//   serialport 13 (bindings-cpp unixRead) retries a 0-byte read at once, so a flowing port spins
//   on EOF without noticing (upstream bindings-cpp issue 162, as on a real USB unplug); its
//   next write fails with EIO and then it closes the port ('close' event, isOpen false). A UE
//   driver therefore detects a vanished modem by its next command, or by a reply timeout.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { Duplex } from 'node:stream';
import { ComponentError } from '../harness/errors.js';
import { koffi, loadLibrary, type NativeFunction } from './lib.js';

const LIBC = ['libc.so.6'];
/** openpty is in libc.so.6 from glibc 2.34; libutil.so.1 before that. */
const OPENPTY_LIBS = ['libc.so.6', 'libutil.so.1'];

interface LibcPty {
  openpty: NativeFunction;
  ptsnameR: NativeFunction;
  tcgetattr: NativeFunction;
  tcsetattr: NativeFunction;
  cfmakeraw: NativeFunction;
  fcntl: NativeFunction;
}
let libcCache: LibcPty | undefined;
function libc(): LibcPty {
  if (!libcCache) {
    const c = loadLibrary('libc', LIBC);
    const u = loadLibrary('openpty', OPENPTY_LIBS, 'openpty');
    libcCache = {
      openpty: u.fn('int openpty(_Out_ int *amaster, _Out_ int *aslave, void *name, void *termp, void *winp)'),
      ptsnameR: c.fn('int ptsname_r(int fd, _Out_ uint8_t *buf, size_t buflen)'),
      // struct termios is opaque to us (60 bytes on glibc x86_64/arm64): a larger buffer is safe.
      tcgetattr: c.fn('int tcgetattr(int fd, _Out_ uint8_t *termios)'),
      tcsetattr: c.fn('int tcsetattr(int fd, int optionalActions, const uint8_t *termios)'),
      cfmakeraw: c.fn('void cfmakeraw(_Inout_ uint8_t *termios)'),
      fcntl: c.fn('int fcntl(int fd, int cmd, ...)'),
    };
  }
  return libcCache;
}

const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000; // Linux x86_64 and arm64
const TCSANOW = 0;
const TERMIOS_BUF = 256;
const READ_CHUNK = 64 * 1024;
const PROBE_MS = 50;

function sysError(what: string, err?: unknown): ComponentError {
  const errno = koffi().errno();
  return new ComponentError('pty', `${what} failed (errno ${errno})`, 'PTY_FAILED', { cause: err });
}

function fcntlInt(fd: number, cmd: number, arg?: number): number {
  const { fcntl } = libc();
  return arg === undefined ? fcntl(fd, cmd) : fcntl(fd, cmd, 'int', arg);
}

/** Set raw mode (cfmakeraw) on a terminal fd. */
function setRaw(fd: number): void {
  const { tcgetattr, tcsetattr, cfmakeraw } = libc();
  const t = Buffer.alloc(TERMIOS_BUF);
  if (tcgetattr(fd, t) !== 0) throw sysError('tcgetattr');
  cfmakeraw(t);
  if (tcsetattr(fd, TCSANOW, t) !== 0) throw sysError('tcsetattr');
}

export interface PtyOptions {
  /** Hold a slave fd open for the pty's lifetime (default true; see the notes at the top). */
  keepSlaveOpen?: boolean;
}

interface PollEvents {
  readable: boolean;
  writable: boolean;
  disconnect: boolean;
}
interface PollHandle {
  start(opts: Partial<PollEvents>, cb: (status: number, ev: PollEvents) => void): void;
  stop(): void;
  close(): void;
}

/**
 * A pseudo-terminal pair. Events: 'hangup' (last client closed the slave; only with
 * keepSlaveOpen false), 'connect' (a client opened it again). I/O errors are `stream` 'error'
 * events (listen there, as for any Node stream).
 */
export class Pty extends EventEmitter {
  /** The master fd (non-blocking, close-on-exec). Prefer `stream` to reading it directly. */
  readonly masterFd: number;
  /** The slave device path (/dev/pts/N): give it to the client (serialport, srsUE, minicom). */
  readonly slavePath: string;
  /** The master side: 'data' = bytes the client wrote; write() = bytes the client will read. */
  readonly stream: Duplex;
  private slaveFd: number | undefined;
  private poll: PollHandle | undefined;
  private pollMask = 0;
  private readWanted = false;
  private pendingWrite: { buf: Buffer; cb: (err?: Error | null) => void } | undefined;
  private hungUp: boolean;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** @internal use openPty() */
  constructor(masterFd: number, slaveFd: number, slavePath: string, keepSlaveOpen: boolean) {
    super();
    this.masterFd = masterFd;
    this.slavePath = slavePath;
    this.slaveFd = slaveFd;
    this.hungUp = false;
    if (!keepSlaveOpen) {
      fs.closeSync(slaveFd);
      this.slaveFd = undefined;
      this.hungUp = true;
    }
    const self = this;
    this.stream = new Duplex({
      read() {
        self.readWanted = true;
        self.updatePoll();
      },
      write(chunk: Buffer, _enc, cb) {
        self.pendingWrite = { buf: chunk, cb };
        self.flushWrite();
      },
      destroy(err, cb) {
        self.release(err ?? undefined);
        cb(err);
      },
    });
    // koffi's d.ts types the callback as (events); the native side calls it as (status, events).
    const poll = koffi().node.poll as unknown as (fd: number, opts: Partial<PollEvents>, cb: (status: number, ev: PollEvents) => void) => PollHandle;
    this.poll = poll(masterFd, {}, (status, ev) => this.onPoll(status, ev));
    this.poll.stop();
    if (this.hungUp) this.startProbe();
  }

  /** True while no client has the slave open (only tracked with keepSlaveOpen false). */
  get isHungUp(): boolean {
    return this.hungUp;
  }

  /** Close the pair (idempotent). The client sees EOF on read and EIO on write. */
  close(): void {
    if (this.closed) return;
    this.stream.destroy();
    this.release();
  }

  private release(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.poll?.close(); // stops polling before the fd is closed, as libuv requires
    this.poll = undefined;
    const pw = this.pendingWrite;
    this.pendingWrite = undefined;
    try {
      fs.closeSync(this.masterFd);
    } catch {
      /* already closed */
    }
    if (this.slaveFd !== undefined) {
      try {
        fs.closeSync(this.slaveFd);
      } catch {
        /* already closed */
      }
      this.slaveFd = undefined;
    }
    pw?.cb(err ?? new ComponentError('pty', 'closed with a write pending', 'PTY_CLOSED'));
  }

  private updatePoll(): void {
    if (this.closed || !this.poll) return;
    const readable = this.readWanted && !this.hungUp;
    const writable = this.pendingWrite !== undefined && !this.hungUp;
    const mask = (readable ? 1 : 0) | (writable ? 2 : 0);
    if (mask === this.pollMask) return;
    this.pollMask = mask;
    if (mask === 0) this.poll.stop();
    else this.poll.start({ readable, writable }, (status, ev) => this.onPoll(status, ev));
  }

  private onPoll(status: number, ev: PollEvents): void {
    if (this.closed) return;
    if (status < 0) {
      this.stream.destroy(new ComponentError('pty', `poll failed (libuv status ${status})`, 'PTY_FAILED'));
      return;
    }
    if (ev.readable || ev.disconnect) this.doRead();
    if (ev.writable) this.flushWrite();
    this.updatePoll();
  }

  private doRead(): void {
    while (this.readWanted && !this.closed) {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      let n: number;
      try {
        n = fs.readSync(this.masterFd, buf, 0, READ_CHUNK, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') return;
        if (code === 'EIO') return this.onHangup();
        this.stream.destroy(err as Error);
        return;
      }
      if (n === 0) return this.onHangup();
      if (!this.stream.push(buf.subarray(0, n))) this.readWanted = false;
    }
  }

  private flushWrite(): void {
    while (this.pendingWrite && !this.closed) {
      const pw = this.pendingWrite;
      let n: number;
      try {
        n = fs.writeSync(this.masterFd, pw.buf);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') break;
        this.pendingWrite = undefined;
        pw.cb(err as Error);
        return;
      }
      if (n < pw.buf.length) {
        pw.buf = pw.buf.subarray(n);
        continue;
      }
      this.pendingWrite = undefined;
      pw.cb();
    }
    this.updatePoll();
  }

  private onHangup(): void {
    if (this.hungUp || this.slaveFd !== undefined) {
      // With our own slave fd open a hang-up cannot happen; EIO/EOF here is unexpected.
      if (this.slaveFd !== undefined) this.stream.destroy(new ComponentError('pty', 'master read failed with EIO', 'PTY_FAILED'));
      return;
    }
    this.hungUp = true;
    this.updatePoll();
    this.startProbe();
    this.emit('hangup');
  }

  private startProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setInterval(() => this.probe(), PROBE_MS);
  }

  /** While hung up: a probe read tells EIO (still no client) from EAGAIN or data (a client). */
  private probe(): void {
    if (this.closed) return;
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let n = 0;
    try {
      n = fs.readSync(this.masterFd, buf, 0, READ_CHUNK, null);
      if (n === 0) return; // EOF: still no client
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EIO') return;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') {
        this.stream.destroy(err as Error);
        return;
      }
    }
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.hungUp = false;
    this.emit('connect');
    if (n > 0 && !this.stream.push(buf.subarray(0, n))) this.readWanted = false;
    this.flushWrite();
    this.updatePoll();
  }
}

/**
 * Open a pseudo-terminal pair with the slave in raw mode.
 * Throws NativeUnavailableError when libc's openpty cannot be bound, ComponentError('pty') when
 * the kernel refuses (e.g. out of ptys).
 */
export function openPty(options: PtyOptions = {}): Pty {
  const { openpty, ptsnameR } = libc();
  const m = [-1];
  const s = [-1];
  if (openpty(m, s, null, null, null) !== 0) throw sysError('openpty');
  const masterFd = m[0];
  const slaveFd = s[0];
  try {
    for (const fd of [masterFd, slaveFd]) {
      if (fcntlInt(fd, F_SETFD, fcntlInt(fd, F_GETFD) | FD_CLOEXEC) !== 0) throw sysError('fcntl(F_SETFD)');
    }
    if (fcntlInt(masterFd, F_SETFL, fcntlInt(masterFd, F_GETFL) | O_NONBLOCK) !== 0) throw sysError('fcntl(F_SETFL)');
    const name = Buffer.alloc(256);
    if (ptsnameR(masterFd, name, name.length) !== 0) throw sysError('ptsname_r');
    const slavePath = name.toString('latin1', 0, name.indexOf(0));
    setRaw(slaveFd);
    return new Pty(masterFd, slaveFd, slavePath, options.keepSlaveOpen ?? true);
  } catch (err) {
    fs.closeSync(masterFd);
    fs.closeSync(slaveFd);
    throw err;
  }
}

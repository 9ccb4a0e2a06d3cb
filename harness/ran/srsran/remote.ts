// A client of the gNB's remote-control WebSocket (facts/RAN.md §1.1, §5): one command at a
// time, its reply told apart from metrics by the key `cmd`; every other message goes to
// `onFrame`. A success reply proves only that the gNB parsed the command.
import WebSocket from 'ws';
import { parseFrame, type Frame } from './frames.js';

export class RemoteCommandError extends Error {}

export class RemoteControlClient {
  private ws: WebSocket | null = null;
  private pending: { cmd: string; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  closed = false;

  constructor(
    readonly url: string,
    private readonly onFrame: (f: Frame, text: string) => void,
    private readonly onClose: () => void = () => undefined,
  ) {}

  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false, handshakeTimeout: timeoutMs, maxPayload: 4 << 20 });
      const t = setTimeout(() => {
        ws.terminate();
        reject(new RemoteCommandError(`no WebSocket at ${this.url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(t);
        this.ws = ws;
        resolve();
      });
      ws.once('error', (err) => {
        clearTimeout(t);
        reject(new RemoteCommandError(`cannot connect to the gNB's remote control at ${this.url}: ${err.message}`));
      });
      ws.on('message', (data) => this.onMessage(String(data)));
      ws.on('close', () => {
        this.closed = true;
        for (const p of this.pending.splice(0)) {
          clearTimeout(p.timer);
          p.reject(new RemoteCommandError(`the gNB closed the remote control connection before answering ${p.cmd}`));
        }
        this.onClose();
      });
    });
  }

  private onMessage(text: string): void {
    const f = parseFrame(text);
    if (f.kind === 'reply') {
      const i = Math.max(0, this.pending.findIndex((p) => p.cmd === f.cmd));
      const p = this.pending.splice(i, 1)[0];
      if (!p) return;
      clearTimeout(p.timer);
      if (f.error !== undefined) p.reject(new RemoteCommandError(`${p.cmd}: ${f.error}`));
      else p.resolve();
      return;
    }
    this.onFrame(f, text);
  }

  /** Send one command and wait for its reply (commands go one after another). */
  command(body: Record<string, unknown> & { cmd: string }, timeoutMs = 3000): Promise<void> {
    const run = () =>
      new Promise<void>((resolve, reject) => {
        if (!this.ws || this.closed) return reject(new RemoteCommandError(`not connected to ${this.url}`));
        const timer = setTimeout(() => {
          this.pending = this.pending.filter((p) => p.timer !== timer);
          reject(new RemoteCommandError(`${body.cmd}: no reply from the gNB within ${timeoutMs} ms`));
        }, timeoutMs);
        this.pending.push({ cmd: body.cmd, resolve, reject, timer });
        this.ws.send(JSON.stringify(body));
      });
    const next = this.chain.catch(() => undefined).then(run);
    this.chain = next;
    return next;
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}

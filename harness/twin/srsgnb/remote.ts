// The stand-in's remote-control server (facts/RAN.md §1.1, §5): plain ws://, TEXT frames only,
// JSON requests with a mandatory string `cmd`, replies and errors from sorted maps, metrics
// pushed to subscribers. `metrics_subscribe` exists only with metrics.enable_json.
import { WebSocketServer, type WebSocket } from 'ws';
import type { StandinConfig } from './config.js';
import { sortedJson, srsTimestamp } from './json.js';

export interface RemoteHooks {
  quit(): void;
  /** Apply a ratio to every configured slice matching a member; false when none matched. */
  setRatio(member: { plmn: string; sst: number; sd?: number }, minRatio: number | undefined, maxRatio: number | undefined): boolean;
}

export class RemoteControl {
  readonly subscribers = new Set<WebSocket>();
  private wss: WebSocketServer | null = null;

  constructor(
    readonly cfg: StandinConfig,
    private readonly hooks: RemoteHooks,
  ) {}

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: this.cfg.remote.bindAddr, port: this.cfg.remote.port, maxPayload: 16 * 1024, perMessageDeflate: false });
      wss.once('error', reject);
      wss.once('listening', () => {
        this.wss = wss;
        resolve();
      });
      wss.on('connection', (ws) => this.onConnection(ws));
    });
  }

  private onConnection(ws: WebSocket): void {
    ws.on('close', () => this.subscribers.delete(ws));
    ws.on('error', () => this.subscribers.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.send(ws, { error: 'This WebSocket server only supports opcode TEXT messages', timestamp: srsTimestamp() });
      this.onText(ws, String(data));
    });
  }

  private send(ws: WebSocket, v: Record<string, unknown>): void {
    ws.send(sortedJson(v, 0));
  }

  private onText(ws: WebSocket, text: string): void {
    const err = (error: string, cmd?: string) => this.send(ws, { error, ...(cmd === undefined ? {} : { cmd }), timestamp: srsTimestamp() });
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch {
      return err(`[json.exception.parse_error.101] parse error at line 1, column 1: syntax error while parsing value - invalid literal; last read: '${text.slice(0, 1)}'`);
    }
    if (!req || typeof req !== 'object' || !('cmd' in req)) return err("'cmd' object is missing and it is mandatory");
    const r = req as Record<string, unknown>;
    if (typeof r.cmd !== 'string') return err("'cmd' object value type should be a string");
    const cmd = r.cmd;
    const ok = () => this.send(ws, { cmd, timestamp: srsTimestamp() });
    switch (cmd) {
      case 'quit':
        ok();
        return this.hooks.quit();
      case 'metrics_subscribe':
        if (!this.cfg.enableJson) return err(`Unknown command type: ${cmd}`, cmd);
        this.subscribers.add(ws);
        return ok();
      case 'metrics_unsubscribe':
        if (!this.cfg.enableJson) return err(`Unknown command type: ${cmd}`, cmd);
        this.subscribers.delete(ws);
        return ok();
      case 'ssb_set':
        return ok();
      case 'rrm_policy_ratio_set':
        return this.ratioSet(r, ok, (e) => err(e, cmd));
      default:
        return err(`Unknown command type: ${cmd}`, cmd);
    }
  }

  private ratioSet(r: Record<string, unknown>, ok: () => void, err: (e: string) => void): void {
    const p = r.policies as Record<string, unknown> | undefined;
    if (!p || typeof p !== 'object' || Array.isArray(p)) return err("'policies' object is missing and it is mandatory");
    if (p.resourceType !== 'PRB') return err("Only 'resourceType' PRB value is supported");
    const ratio = (k: string): number | undefined | string => {
      const v = p[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v)) return `'${k}' value type should be an integer`;
      const u = v < 0 ? v + 2 ** 32 : v;
      if (u > 100) return `'${k}' value out of range, received '${u}'`;
      return u;
    };
    const [mn, mx, ded] = ['min_prb_policy_ratio', 'max_prb_policy_ratio', 'dedicated_ratio'].map(ratio);
    for (const x of [mn, mx, ded]) if (typeof x === 'string') return err(x);
    const members = p.rRMPolicyMemberList;
    if (!Array.isArray(members)) return err("'rRMPolicyMemberList' object is missing and it is mandatory");
    for (const m of members as Record<string, unknown>[]) {
      const member = { plmn: String(m?.plmn ?? ''), sst: Number(m?.sst), ...(m?.sd === undefined ? {} : { sd: Number(m.sd) }) };
      if (!this.hooks.setRatio(member, mn as number | undefined, mx as number | undefined))
        process.stdout.write(`No RRM policy member found for plmn=${member.plmn} sst=${member.sst} sd=${member.sd ?? '-'} in cell pci=${this.cfg.pci}\n`);
    }
    ok();
  }

  /** One metrics report to every subscriber: pretty-printed, followed by a newline. */
  broadcast(frame: Record<string, unknown>): void {
    const text = sortedJson(frame, 2) + '\n';
    for (const ws of this.subscribers) if (ws.readyState === ws.OPEN) ws.send(text);
  }

  /** Close every connection (after letting a last reply, such as quit's, go out) and the server. */
  async close(): Promise<void> {
    const wss = this.wss;
    if (!wss) return;
    await new Promise((r) => setTimeout(r, 50));
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

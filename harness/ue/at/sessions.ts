// Data sessions (PDP contexts): started, stopped and read; the ones the trial started are
// restored in the background after the modem comes back (replug, reset).
import { ConfigError, messageOf } from '../../errors.js';
import { sleep } from '../../proc/index.js';
import type { DataSession } from '../types.js';
import { log, type ModemCore } from './core.js';
import { parseCgact, parseCgpaddr } from './parse.js';
import { readRegistration } from './registration.js';
import type { AtCommands } from './replies.js';

export type PdpType = 'IP' | 'IPV6' | 'IPV4V6';

export interface SessionRequest {
  cid?: number;
  apn?: string;
  pdpType?: PdpType;
}

export class DataSessions {
  /** Sessions the trial started, by cid. */
  private readonly wanted = new Map<number, { apn?: string; pdpType?: PdpType }>();

  constructor(
    private readonly core: ModemCore,
    private readonly at: AtCommands,
  ) {}

  async start(o: SessionRequest = {}): Promise<DataSession> {
    const cid = o.cid ?? 1;
    const apn = o.apn ?? this.core.opts.apn ?? '';
    if (!/^[A-Za-z0-9.\-_]*$/.test(apn)) throw new ConfigError(`${this.at.id}: APN ${JSON.stringify(apn)} has characters an APN cannot have`, 'CONFIG_INVALID');
    const active = parseCgact((await this.at.send('AT+CGACT?')).lines).get(cid) ?? false;
    if (!active) {
      await this.at.send(`AT+CGDCONT=${cid},"${o.pdpType ?? 'IP'}","${apn}"`);
      await this.at.send(`AT+CGACT=1,${cid}`);
    }
    this.wanted.set(cid, { apn, pdpType: o.pdpType });
    return this.read(cid);
  }

  async stop(cid = 1): Promise<void> {
    this.wanted.delete(cid);
    await this.at.send(`AT+CGACT=0,${cid}`);
  }

  async read(cid = 1): Promise<DataSession> {
    const active = parseCgact((await this.at.send('AT+CGACT?')).lines).get(cid) ?? false;
    const r = await this.at.send(`AT+CGPADDR=${cid}`);
    const s = this.at.replies.parse(`AT+CGPADDR=${cid}`, () => parseCgpaddr(r.lines, cid));
    return { cid, active, address: active ? s.address : null };
  }

  /** In the background: once registered again (or after a minute), reactivate the sessions. */
  restore(): void {
    if (this.wanted.size === 0) return;
    const wanted = [...this.wanted];
    const core = this.core;
    void (async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && core.health === 'ready') {
        const reg = await readRegistration(this.at).catch(() => null);
        if (reg?.registered) break;
        await sleep(500);
      }
      for (const [cid, o] of wanted) {
        if (core.health !== 'ready' || !this.wanted.has(cid)) return;
        try {
          const s = await this.start({ cid, ...o });
          log.info({ ue: core.id, cid, address: s.address }, 'data session restored');
        } catch (err) {
          log.warn({ ue: core.id, cid, err: messageOf(err) }, 'data session not restored');
        }
      }
    })();
  }
}

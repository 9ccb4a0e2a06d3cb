// A scripted Quectel modem on a real pseudo-terminal, for tests of the AT driver. It plays one
// module as the fact sheet (/work/shared/facts/UE-SDR-GPU.md §1) and public transcripts show it,
// and shares nothing with the driver: no parser, no table, no formatter of ranlab's is imported.
// Framing as the manual gives it: echo on by default (the command line and <CR>), every reply
// line framed <CR><LF>...<CR><LF>, then the final result code framed the same way.
import { openPty, type Pty } from '../../native/pty.js';

export interface Context {
  apn: string;
  active: boolean;
}

export interface ScriptedModem {
  /** The client side, e.g. /dev/pts/7: what a rig file's `port:` names. */
  readonly path: string;
  /** Every command line received, as typed. */
  readonly got: string[];
  /** Command lines and the final result code each got, in order. */
  readonly finals: Array<{ line: string; final: string }>;
  readonly contexts: Map<number, Context>;
  close(): void;
}

/** What the module answers: information lines and the final code; null = ERROR. */
export type Script = (line: string, m: { contexts: Map<number, Context> }) => { lines: string[]; final?: string } | null;

export function scriptedModem(script: Script): ScriptedModem {
  const pty: Pty = openPty();
  const got: string[] = [];
  const finals: Array<{ line: string; final: string }> = [];
  const contexts = new Map<number, Context>();
  let echo = true;
  let rx = '';
  const write = (s: string) => pty.stream.write(s, 'latin1');
  pty.stream.on('data', (b: Buffer) => {
    rx += b.toString('latin1');
    for (let i = rx.indexOf('\r'); i >= 0; i = rx.indexOf('\r')) {
      const line = rx.slice(0, i).replace(/^\n+/, '').trim();
      rx = rx.slice(i + 1);
      if (!line) continue;
      got.push(line);
      if (echo) write(`${line}\r`);
      let answer: { lines: string[]; final?: string } | null;
      if (/^ATE[01]$/i.test(line)) {
        echo = line.endsWith('1');
        answer = { lines: [] };
      } else answer = script(line, { contexts });
      const final = answer ? (answer.final ?? 'OK') : 'ERROR';
      finals.push({ line, final });
      write((answer?.lines ?? []).map((l) => `\r\n${l}\r\n`).join('') + `\r\n${final}\r\n`);
    }
  });
  return { path: pty.slavePath, got, finals, contexts, close: () => pty.close() };
}

/** The serving-cell reply an RM500Q gave in EN-DC on early firmware (freedesktop/libqmi PR #2). */
export const RM500Q_ENDC_SHORT_NSA = [
  '+QENG: "servingcell","NOCONN"',
  '+QENG: "LTE","FDD",1,01,1A2D001,1,1575,3,3,3,1,-70,-9,-46,25,-',
  '+QENG:"NR5G-NSA",1,01,500,-75,180,-11',
];

export interface Rm500qOptions {
  /** Replace the reply of one QNWPREFCFG key (lower case) with these lines. */
  bandReply?: Record<string, string[]>;
  /** The serving-cell reply (default: RM500Q_ENDC_SHORT_NSA). */
  servingCell?: string[];
  /** Further command lines (upper case) this module answers with ERROR. */
  refuse?: string[];
}

/**
 * RM500Q on early firmware, in EN-DC, with no PDP context defined: answers ERROR to AT+CMEE?
 * (facts §1, "Seen in the field"), prints the short 6-field NR5G-NSA line, and a bare OK to
 * AT+CGACT? and AT+CGPADDR until a context is defined.
 */
export function rm500qEarlyFirmware(o: Rm500qOptions = {}): Script {
  const bands: Record<string, string> = { lte_band: '1:3:7:20', nsa_nr5g_band: '1:3:78', nr5g_band: '1:3:78', mode_pref: 'AUTO' };
  return (line, m) => {
    const u = line.toUpperCase();
    let r: RegExpExecArray | null;
    if (o.refuse?.includes(u)) return null;
    if (u === 'AT' || /^AT\+(CMEE|CEREG|C5GREG|CGEREP|CREG)=\d$/.test(u)) return { lines: [] };
    if (u === 'AT+CMEE?') return null; // the quirk: this firmware refuses the read form
    if (u === 'AT+CSQ') return { lines: ['+CSQ: 24,99'] };
    if (u === 'AT+CGEREP?') return { lines: ['+CGEREP: 0,0'] };
    if (u === 'ATI') return { lines: ['Quectel', 'RM500Q', 'Revision: RM500QGLABR11A06M4G'] };
    if (u === 'AT+CGSN') return { lines: ['867698049012345'] };
    if (u === 'AT+CIMI') return { lines: ['001010000012345'] };
    if (u === 'AT+CFUN?') return { lines: ['+CFUN: 1'] };
    if (u === 'AT+C5GREG?') return { lines: ['+C5GREG: 2,0'] };
    if (u === 'AT+CEREG?') return { lines: ['+CEREG: 2,1,"0001","1A2D001",13'] };
    if (u === 'AT+QENG="SERVINGCELL"') return { lines: o.servingCell ?? RM500Q_ENDC_SHORT_NSA };
    if ((r = /^AT\+QNWPREFCFG="([A-Z0-9_]+)"$/.exec(u))) {
      const key = r[1].toLowerCase();
      if (o.bandReply?.[key]) return { lines: o.bandReply[key] };
      return key in bands ? { lines: [`+QNWPREFCFG: "${key}",${bands[key]}`] } : null;
    }
    if (u === 'AT+CGACT?') return { lines: [...m.contexts].map(([cid, c]) => `+CGACT: ${cid},${c.active ? 1 : 0}`) };
    if ((r = /^AT\+CGPADDR(?:=(\d+))?$/.exec(u))) {
      const cids = r[1] ? [Number(r[1])] : [...m.contexts.keys()];
      return { lines: cids.filter((c) => m.contexts.has(c)).map((c) => (m.contexts.get(c)!.active ? `+CGPADDR: ${c},"10.76.51.180"` : `+CGPADDR: ${c}`)) };
    }
    if ((r = /^AT\+CGDCONT=(\d+),"(IP|IPV6|IPV4V6)","([^"]*)"$/i.exec(line))) {
      const cid = Number(r[1]);
      if (m.contexts.get(cid)?.active) return null; // cannot redefine an active context
      m.contexts.set(cid, { apn: r[3], active: false });
      return { lines: [] };
    }
    if ((r = /^AT\+CGACT=([01]),(\d+)$/.exec(u))) {
      const c = m.contexts.get(Number(r[2]));
      if (!c) return { lines: [], final: '+CME ERROR: 3' };
      c.active = r[1] === '1';
      return { lines: [] };
    }
    return null;
  };
}

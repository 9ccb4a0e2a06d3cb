// Per-model behaviour of the Quectel modules the twin can be: what each prints and refuses, from
// the manuals and from what public transcripts show (fact sheet §1, "Seen in the field").

export const MODEM_MODELS = ['RM520N', 'RM500Q-early', 'EG25-G'] as const;
export type ModemModel = (typeof MODEM_MODELS)[number];

export interface ModemProfile {
  /** The model line ATI and AT+CGMM print. */
  atiModel: string;
  /** The revision ATI and AT+CGMR print unless the config gives one. */
  revision: string;
  /** Radio access the module has. */
  lte: boolean;
  nr: boolean;
  /** The EN-DC NR line: 'full' (11 fields, RM5x0N manual) or 'short' (6 fields, early RM500Q firmware). */
  nsaLine: 'full' | 'short';
  /** Whether `+QENG:` is followed by a space on the EN-DC NR line. */
  nsaLineSpace: boolean;
  /** LTE line: with <CQI>,<tx_power> (RM5x0N) or without them (EC2x/EG2x). */
  lteCqiTx: boolean;
  /** LTE <SINR>: the RM5x0N manual's raw scale, or dB as the EC2x/EG2x line prints it (fact sheet example −4). */
  lteSinr: 'rm5x0n' | 'db';
  /** What an idle LTE line prints for the CQI and tx_power it has no value for. */
  idleCqi: string;
  idleTxPower: string;
  /** AT+CMEE? answers ERROR (early RM500Q firmware) instead of +CMEE: <n>. */
  cmeeReadRefused: boolean;
  /** Band and RAT settings: AT+QNWPREFCFG (RM5xx) or AT+QCFG="nwscanmode" and AT+QNWLOCK (EG25). */
  bandConfig: 'qnwprefcfg' | 'qcfg';
  /** Factory nr5g_disable_mode: 1 = SA off, so an NR cell is used through an LTE anchor (EN-DC). */
  nr5gDisableMode: '0' | '1';
  /** PDP contexts defined at the factory (cid → type, APN); none: AT+CGACT? answers a bare OK. */
  contexts: ReadonlyArray<{ cid: number; type: string; apn: string }>;
}

const PROFILES: Record<ModemModel, ModemProfile> = {
  RM520N: {
    atiModel: 'RM520N',
    revision: 'RM520NTWINR01A01M4G',
    lte: true,
    nr: true,
    nsaLine: 'full',
    nsaLineSpace: true,
    lteCqiTx: true,
    lteSinr: 'rm5x0n',
    idleCqi: '-',
    idleTxPower: '-',
    cmeeReadRefused: false,
    bandConfig: 'qnwprefcfg',
    nr5gDisableMode: '0',
    contexts: [{ cid: 1, type: 'IPV4V6', apn: '' }],
  },
  // Early RM500Q firmware: NSA first (SA off at the factory), short NR line, sentinels in idle,
  // refuses the CMEE read form, ships with no context defined.
  'RM500Q-early': {
    atiModel: 'RM500Q-GL',
    revision: 'RM500QGLTWINR01A01M4G',
    lte: true,
    nr: true,
    nsaLine: 'short',
    nsaLineSpace: false,
    lteCqiTx: true,
    lteSinr: 'rm5x0n',
    idleCqi: '255',
    idleTxPower: '-32768',
    cmeeReadRefused: true,
    bandConfig: 'qnwprefcfg',
    nr5gDisableMode: '1',
    contexts: [],
  },
  // LTE only; no AT+QNWPREFCFG and no AT+C5GREG; its LTE line lacks <CQI> and <tx_power>.
  'EG25-G': {
    atiModel: 'EG25',
    revision: 'EG25GTWINR01A01M2G',
    lte: true,
    nr: false,
    nsaLine: 'full',
    nsaLineSpace: true,
    lteCqiTx: false,
    lteSinr: 'db',
    idleCqi: '-',
    idleTxPower: '-',
    cmeeReadRefused: false,
    bandConfig: 'qcfg',
    nr5gDisableMode: '0',
    contexts: [{ cid: 1, type: 'IP', apn: '' }],
  },
};

export function profileOf(model: ModemModel): ModemProfile {
  return PROFILES[model];
}

// Tune requests and results (uhd_tune_request_t / uhd_tune_result_t, 48 and 40 bytes).

export interface TuneResult {
  clippedRfFreqHz: number;
  targetRfFreqHz: number;
  actualRfFreqHz: number;
  targetDspFreqHz: number;
  actualDspFreqHz: number;
}

export interface TuneOptions {
  /** Put the LO this far from the target and let the DSP shift the rest (avoids the DC spike). */
  loOffsetHz?: number;
  /** Extra tune args (UHD `tune_request_t::args`, e.g. `mode_n=integer`). */
  args?: string;
}

const POLICY_AUTO = 65; // 'A'
const POLICY_MANUAL = 77; // 'M'

export function tuneRequest(freqHz: number, opts: TuneOptions): Record<string, unknown> {
  if (!Number.isFinite(freqHz) || freqHz < 0) throw new RangeError(`frequency must be a finite, non-negative number of Hz, got ${freqHz}`);
  const lo = opts.loOffsetHz;
  return {
    target_freq: freqHz,
    rf_freq_policy: lo === undefined ? POLICY_AUTO : POLICY_MANUAL,
    rf_freq: lo === undefined ? 0 : freqHz + lo,
    dsp_freq_policy: POLICY_AUTO,
    dsp_freq: 0,
    args: opts.args ?? '', // UHD builds a std::string from it: never NULL
  };
}

/** uhd_tune_result_t as koffi fills it, in ranlab's names. */
export function tuneResult(res: Record<string, number>): TuneResult {
  return {
    clippedRfFreqHz: res.clipped_rf_freq,
    targetRfFreqHz: res.target_rf_freq,
    actualRfFreqHz: res.actual_rf_freq,
    targetDspFreqHz: res.target_dsp_freq,
    actualDspFreqHz: res.actual_dsp_freq,
  };
}

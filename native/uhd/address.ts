// UHD device addresses and device-args filters (`type=b200,serial=30AD2D4`).

/** Parse a UHD device address (`type=b200,name=MyB210,serial=30AD2D4,product=B210`). */
export function parseDeviceAddress(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

export function checkArgs(args: string): void {
  if (typeof args !== 'string') throw new TypeError('UHD device args must be a string');
  if (args.includes('\0')) throw new TypeError('UHD device args must not contain NUL');
}

export interface UhdCallOptions {
  /** Rig component name used in errors (default `uhd`). */
  component?: string;
}

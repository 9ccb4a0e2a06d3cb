// `gnb -v` / `gnb --version` as the srsRAN Project gNB answers it (read in its sources,
// release_25_04 and release_25_10: apps/gnb/gnb.cpp, apps/services/application_message_banners.h,
// cmake/modules/version.cmake): the banner main() prints before it parses its arguments, then
// CLI11's version text `srsRAN 5G gNB version <MAJOR.MINOR.PATCH> (<git short hash>)` on
// stdout, exit 0. The stand-in reports 25.10.0, the release whose formats it speaks, unless
// `--report-version <x.y.z>` (a stand-in option, for tests of a gNB of another release) says otherwise.

/** Not a build of srsRAN: no commit hash to give, so the parentheses say what it is. */
const BUILD = 'ranlab stand-in';

/** What main() prints first, whatever its arguments: a blank line, the banner, a blank line. */
export const BANNER = `\n--== srsRAN gNB (commit ${BUILD}) ==--\n\n`;

export function versionText(argv: string[]): string {
  const i = argv.indexOf('--report-version');
  const version = i >= 0 && argv[i + 1] ? argv[i + 1] : '25.10.0';
  return `${BANNER}srsRAN 5G gNB version ${version} (${BUILD})\n`;
}

export function wantsVersion(argv: string[]): boolean {
  return argv.includes('-v') || argv.includes('--version');
}

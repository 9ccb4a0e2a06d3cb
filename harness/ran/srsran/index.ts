// harness/ran/srsran: the srsran-project backend (registered in ../agent/backends). Outside the
// agent only the gnb binary's version check is used (preflight runs it for agents it starts here).
export { describeGnbVersion, GnbVersionError, parseGnbVersion, readGnbVersion, sameRelease, type GnbVersion } from './version.js';

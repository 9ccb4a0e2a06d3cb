// Duplex mode of an operating band: TS 36.101 Table 5.5-1 (LTE) and TS 38.101-1 Table 5.2-1
// (NR FR1). Every band not listed is FDD (or SDL/SUL, which the twin does not model).
export const LTE_TDD_BANDS: ReadonlySet<number> = new Set([33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 51, 52, 53]);
export const NR_TDD_BANDS: ReadonlySet<number> = new Set([34, 38, 39, 40, 41, 46, 47, 48, 50, 51, 53, 77, 78, 79, 90, 96, 101, 102, 104]);

// Acceptance criteria judged from a trial's report, the exit-code precedence, and JUnit XML
// that validates against the schema Jenkins' xUnit plugin uses (xmllint, Debian's libxml2-utils).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { acceptanceError, buildJunit, criterionCases, evaluateAcceptance, exitPrecedence, mergeAcceptance } from '../harness/acceptance/index.js';
import { parseRig } from '../harness/rig/index.js';

const XSD = join(import.meta.dirname, 'fixtures', 'junit', 'junit-10.xsd');

const report = (over: Record<string, unknown> = {}) => ({
  kind: 'spectrum-sharing',
  trialId: 't-1',
  epochs: 8,
  epochsRequested: 8,
  error: null,
  fairness: 0.8123,
  convergedAtEpoch: null,
  supply: { initialMicro: '100', finalMicro: '100', conserved: true },
  ...over,
});

describe('acceptance criteria', () => {
  it("offload: the planner's p99 (or the named condition's) against a bound; every condition met its minimums", () => {
    const off = {
      kind: 'offload',
      trialId: 't-2',
      error: null,
      comparison: [
        { condition: 'planner', p99Ms: 180.5, requests: 240 },
        { condition: 'all-local', p99Ms: 1300, requests: 240 },
      ],
      conditions: [
        { condition: 'planner', ue: 'ue-1', metMinimums: true },
        { condition: 'all-local', ue: 'ue-1', metMinimums: false },
      ],
    };
    const results = evaluateAcceptance(off, { offload: { maxP99Ms: 200, metMinimums: true } });
    expect(results.map((r) => [r.name, r.passed, r.measured])).toEqual([
      ['offload.maxP99Ms', true, '180.5 ms (planner, 240 requests)'],
      ['offload.metMinimums', false, 'short: all-local/ue-1'],
    ]);
    // A run with --short-conditions: every condition is below the minimums, and the criterion says why.
    const short = { ...off, shortConditions: true, conditions: off.conditions.map((c) => ({ ...c, metMinimums: false })) };
    const [met] = evaluateAcceptance(short, { offload: { metMinimums: true } });
    expect([met!.passed, met!.measured]).toEqual([false, 'short (run with --short-conditions): planner/ue-1, all-local/ue-1']);
    const local = evaluateAcceptance(off, { offload: { maxP99Ms: 200, condition: 'all-local' } });
    expect(acceptanceError(local)!.message).toContain('offload.maxP99Ms: measured 1300 ms (all-local, 240 requests), bound p99 <= 200 ms');
    // A spectrum section is not judged against an offload report, and the other way round.
    expect(evaluateAcceptance(off, { spectrum: { minFairness: 0.9 } })).toEqual([]);
    expect(evaluateAcceptance(report(), { offload: { maxP99Ms: 1 } })).toEqual([]);
  });

  it('checks only what the rig asks, names each with its measured value and bound', () => {
    const results = evaluateAcceptance(report(), { completed: true, spectrum: { minFairness: 0.99, convergedByEpoch: 4, supplyConserved: true } });
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['completed', true],
      ['spectrum.minFairness', false],
      ['spectrum.convergedByEpoch', false],
      ['spectrum.supplyConserved', true],
    ]);
    const err = acceptanceError(results)!;
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('spectrum.minFairness: measured 0.8123, bound >= 0.9900');
    expect(err.message).toContain('spectrum.convergedByEpoch: measured never, bound <= epoch 4');
    expect(acceptanceError(evaluateAcceptance(report({ fairness: 0.995, convergedAtEpoch: 3 }), { spectrum: { minFairness: 0.99, convergedByEpoch: 4 } }))).toBeNull();
  });

  it('reads teardown figures: points spooled and cells not confirmed off fail their criteria', () => {
    const r = evaluateAcceptance(report({ spooledPoints: 12, lostPoints: 0, cellsNotConfirmedOff: ['gnb-a/cell-1'] }), { allPointsWritten: true, cellsOffAtTeardown: true });
    expect(r.map((x) => [x.passed, x.measured])).toEqual([
      [false, '12 points spooled, 0 lost'],
      [false, 'not confirmed off: gnb-a/cell-1'],
    ]);
    // a yes/no criterion set to false is not checked; another kind's section is ignored
    expect(evaluateAcceptance(report(), { allPointsWritten: false })).toEqual([]);
    expect(evaluateAcceptance({ ...report(), kind: 'offload' }, { spectrum: { minFairness: 0.99 } })).toEqual([]);
  });

  it('a suite override replaces single bounds and keeps the rest', () => {
    expect(mergeAcceptance({ completed: true, spectrum: { minFairness: 0.99, convergedByEpoch: 5 } }, { spectrum: { minFairness: 0.5 } })).toEqual({
      completed: true,
      spectrum: { minFairness: 0.5, convergedByEpoch: 5 },
    });
  });

  it('exit codes: the first of 130, 3, 2, 1 wins', () => {
    expect(exitPrecedence([1, 3, 2])).toBe(3);
    expect(exitPrecedence([1, 130, 3])).toBe(130);
    expect(exitPrecedence([0, 2, 1])).toBe(2);
    expect(exitPrecedence([0, 0])).toBe(0);
  });

  it('the rig file section is validated with the path of a bad bound', () => {
    const rig = readFileSync('rigs/twin.yaml', 'utf8');
    expect(() => parseRig(rig + '\nacceptance:\n  spectrum:\n    minFairness: 1.5\n', 'r.yaml')).toThrow(/acceptance\.spectrum\.minFairness/);
    expect(() => parseRig(rig + '\nacceptance:\n  fairnes: 0.9\n', 'r.yaml')).toThrow(/unknown key "fairnes"/);
    expect(parseRig(rig + '\nacceptance:\n  completed: true\n  spectrum:\n    minFairness: 0.99\n', 'r.yaml').acceptance).toEqual({ completed: true, spectrum: { minFairness: 0.99 } });
  });
});

describe('JUnit XML', () => {
  it('validates against junit-10.xsd; a failed criterion carries measured against bound', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ranlab-junit-')), 'out.xml');
    const results = evaluateAcceptance(report(), { spectrum: { minFairness: 0.99 } });
    buildJunit(
      [
        { name: 'a & <b>', timeS: 12.34567, timestamp: new Date(), properties: { trial: 't-1' }, cases: criterionCases('a', results) },
        { name: 'c', timeS: 1, timestamp: new Date(), properties: {}, cases: [{ classname: 'c.bringup', name: 'gnb-a', error: { message: 'gnb-a: unreachable', type: 'COMPONENT_FAILED' } }] },
      ],
      file,
    );
    const lint = await execa('xmllint', ['--noout', '--schema', XSD, file], { reject: false, all: true });
    expect(lint.exitCode, lint.all).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/<testcase classname="a.acceptance" name="spectrum.minFairness">\s*<failure message="spectrum.minFairness: measured 0.8123, bound >= 0.9900" type="ACCEPTANCE_FAILED"/);
    expect(xml).toMatch(/<testsuites name="ranlab" tests="2" failures="1" errors="1">/);
  });

  it('the schema check can fail: a file without the required attributes does not validate', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ranlab-junit-')), 'bad.xml');
    (await import('node:fs')).writeFileSync(file, '<testsuites><testsuite name="x"><testcase name="y"/></testsuite></testsuites>');
    const lint = await execa('xmllint', ['--noout', '--schema', XSD, file], { reject: false, all: true });
    expect(lint.exitCode).not.toBe(0);
  });
});

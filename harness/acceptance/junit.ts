// JUnit XML for CI (Jenkins' xUnit plugin reads it against junit-10.xsd): one <testsuite> per
// trial run, a <testcase> per bring-up component and per acceptance criterion; a failed
// criterion carries its measured value against its bound. Built with junit-report-builder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import junitModule, { type Builder } from 'junit-report-builder';
import { ComponentError, RanlabError, messageOf } from '../errors.js';
import type { Rig } from '../rig/index.js';
import { describeFailure } from './evaluate.js';
import type { CriterionResult } from './criteria.js';

export interface JunitCase {
  classname: string;
  name: string;
  /** A check that ran and missed its bound. */
  failure?: { message: string; type: string };
  /** A component or run that could not be checked (unreachable, failed, interrupted). */
  error?: { message: string; type: string };
  output?: string;
}

export interface JunitSuite {
  name: string;
  timeS: number;
  timestamp: Date;
  properties: Record<string, string>;
  cases: JunitCase[];
}

// The package's default export is a builder instance (CommonJS); its types describe the module.
const junit = junitModule as unknown as Builder;

/** XSD's SUREFIRE_TIME: at most three decimals. */
const seconds = (s: number) => Math.round(Math.max(0, s) * 1000) / 1000;

/**
 * A case per component brought up (InfluxDB, the ledger, each base station, each AT-modem
 * UE): an error on the one the trial's failure names; a run stopped for another reason gets
 * its own case so CI still sees why.
 */
export function bringUpCases(rig: Rig, suite: string, error: Error | null): JunitCase[] {
  const components = ['influx', 'ledger', ...rig.basestations.map((b) => b.id), ...rig.ues.filter((u) => u.driver === 'at-modem').map((u) => u.id)];
  const failed = error instanceof ComponentError ? error.component : null;
  const cases: JunitCase[] = components.map((c) => ({
    classname: `${suite}.bringup`,
    name: c,
    ...(failed === c ? { error: { message: messageOf(error), type: (error as ComponentError).code } } : {}),
  }));
  if (error && (failed === null || !components.includes(failed))) {
    cases.push({ classname: `${suite}.run`, name: 'trial', error: { message: messageOf(error), type: error instanceof RanlabError ? error.code : error.name } });
  }
  return cases;
}

export function criterionCases(suite: string, results: CriterionResult[]): JunitCase[] {
  return results.map((r) => ({
    classname: `${suite}.acceptance`,
    name: r.name,
    output: `measured ${r.measured}, bound ${r.bound}`,
    ...(r.passed ? {} : { failure: { message: describeFailure(r), type: 'ACCEPTANCE_FAILED' } }),
  }));
}

/** The XML text of all suites; written to `file` when given. */
export function buildJunit(suites: JunitSuite[], file?: string, name = 'ranlab'): string {
  const builder = junit.newBuilder().name(name);
  for (const s of suites) {
    const ts = builder.testSuite().name(s.name).time(seconds(s.timeS)).timestamp(s.timestamp);
    for (const [k, v] of Object.entries(s.properties)) ts.property(k, v);
    for (const c of s.cases) {
      const tc = ts.testCase().className(c.classname).name(c.name);
      if (c.failure) tc.failure(c.failure.message, c.failure.type);
      if (c.error) tc.error(c.error.message, c.error.type);
      if (c.output) tc.standardOutput(c.output);
    }
  }
  // junit-10.xsd allows no `skipped` on <testsuites> (only on <testsuite>); the library writes one.
  const xml = builder.build().replace(/(<testsuites\b[^>]*?) skipped="\d+"/, '$1');
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, xml);
  }
  return xml;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../harness/errors.js';
import { loadRig, parseRig, RigError } from '../harness/rig/index.js';

const twinText = readFileSync('rigs/twin.yaml', 'utf8');

function problemOf(text: string): RigError {
  try {
    parseRig(text, 'bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(RigError);
    return err as RigError;
  }
  throw new Error('expected the rig to be rejected');
}

describe('rig files', () => {
  it('the shipped rigs validate', () => {
    const twin = loadRig('rigs/twin.yaml');
    expect(twin.operators.map((o) => o.name)).toEqual(['op-a', 'op-b']);
    expect(twin.ues).toHaveLength(4);
    expect(twin.trial.policy).toBe('ledger');
    const lab = loadRig('rigs/lab-b210-srsran.yaml');
    expect(lab.mode).toBe('lab');
    expect(lab.basestations[0]!.radio).toEqual({ type: 'uhd', args: 'type=b200,serial=31B1A2F', requireRefLock: true, srateMHz: 23.04, txGainDb: 50, rxGainDb: 60, clock: 'external' });
    expect(lab.basestations[0]!.agent).toMatchObject({ mode: 'managed', version: '25.10', gnb: { binary: '/usr/local/bin/gnb' } });
    expect(lab.edge[0]!.gpus).toBe(1);
    const peer = loadRig('rigs/peer-srsran.yaml');
    expect(peer.basestations.map((b) => b.driver)).toEqual(['srsran-project', 'srsran-project']);
  });

  it("an srsRAN rig: each operator's equal share must hold the smallest carrier of its band; PLMN and core required", () => {
    const peer = readFileSync('rigs/peer-srsran.yaml', 'utf8');
    // 3 operators' shares of 25 MHz are 8.28 MHz: below n78's smallest 30 kHz carrier (10 MHz).
    const three = peer.replace('bandMHz: 40 ', 'bandMHz: 25 ').replace('  - { name: op-b,', '  - { name: op-c, account: { generate: true }, plmn: "00103" }\n  - { name: op-b,');
    const err = problemOf(three);
    expect(err.message).toMatch(/spectrum\.bandMHz: each of 3 operators' equal share is 8\.28 MHz, less than the smallest n78 carrier at 30 kHz \(10 MHz\): gnb-a could never go on air/);
    expect(problemOf(peer.replace(', plmn: "00101"', '')).message).toMatch(/operators\[0\]\.plmn: missing: op-a's PLMN/);
    expect(problemOf(peer.replace('    core: { noCore: true }\n', '')).message).toMatch(/basestations\[0\]\.core: missing/);
  });

  it('cells schedule 1 MIMO layer each way unless told; a twin UE\'s transmit power is bounded', () => {
    const cell = loadRig('rigs/twin.yaml').basestations[0]!.cells[0]!;
    expect([cell.mimoLayersDl, cell.mimoLayersUl]).toEqual([1, 1]);
    const err = problemOf(twinText.replace('twin: { pathLossDb:', 'twin: { txPowerDbm: 40, pathLossDb:'));
    expect(err.message).toMatch(/ues\[0\]\.twin\.txPowerDbm: .*33/);
    expect(problemOf(twinText.replace('scsKHz: 15\n        pci: 101', 'scsKHz: 15\n        mimoLayersUl: 5\n        pci: 101')).message).toContain('basestations[0].cells[0].mimoLayersUl');
  });

  it('names the file, the path inside it, the line, and what was expected (exit code 2)', () => {
    const err = problemOf(twinText.replace('bandwidthMHz: 40\n        scsKHz: 15\n        pci: 202', 'bandwidthMHz: "forty"\n        scsKHz: 15\n        pci: 202'));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^bad\.yaml: line \d+: basestations\[1\]\.cells\[0\]\.bandwidthMHz: expected number, received string/);
    const line = Number(/line (\d+)/.exec(err.message)![1]);
    expect(twinText.split('\n')[line - 1]).toContain('bandwidthMHz');
  });

  it('rejects a bandwidth that does not exist for the numerology, naming both', () => {
    const err = problemOf(twinText.replace('bandwidthMHz: 40\n        scsKHz: 15\n        pci: 101', 'bandwidthMHz: 12\n        scsKHz: 15\n        pci: 101'));
    expect(err.message).toContain('basestations[0].cells[0].bandwidthMHz');
    expect(err.message).toMatch(/12 MHz/); expect(err.message).toMatch(/15 kHz/);
  });

  it('reports unknown keys (typos) and missing keys', () => {
    expect(problemOf(twinText.replace('epochMs: 1000', 'epochMS: 1000')).message).toContain('spectrum.epochMS: unknown key');
    expect(problemOf(twinText.replace('  supplyTokens: 13320 ', '  ')).message).toMatch(/spectrum\.supplyTokens: missing/);
  });

  it('checks cross-references: operators, serving base stations, duplicate ids', () => {
    expect(problemOf(twinText.replace('servingBs: gnb-b, twin: { pathLossDb: 96', 'servingBs: gnb-x, twin: { pathLossDb: 96')).message).toMatch(
      /ues\[2\]\.servingBs: unknown base station "gnb-x"/,
    );
    expect(problemOf(twinText.replace('servingBs: gnb-b, twin: { pathLossDb: 96', 'servingBs: gnb-a, twin: { pathLossDb: 96')).message).toMatch(
      /ues\[2\]\.servingBs: base station "gnb-a" belongs to op-a/,
    );
    expect(problemOf(twinText.replace('- id: gnb-b\n', '- id: gnb-a\n')).message).toMatch(/basestations\[1\]\.id: duplicate base station id "gnb-a"/);
    expect(problemOf(twinText.replace('operator: op-b\n    driver: twin', 'operator: op-c\n    driver: twin')).message).toMatch(/unknown operator "op-c"/);
  });

  it('needs ledger keys from files or the environment on a lab chain, never generated', () => {
    const err = problemOf(twinText.replace('ledger:\n  embedded: true', 'ledger:\n  rpc: http://ledger.example:8545\n  contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3"'));
    expect(err.message).toMatch(/operators\[0\]\.account: generated keys only exist on the embedded ledger/);
  });

  it('reports YAML syntax errors with a line', () => {
    const err = problemOf('name: x\noperators: [a, b\n');
    expect(err.message).toMatch(/bad\.yaml: line \d+: .*not valid YAML/);
  });

  it('relative key and certificate paths mean beside the rig file, not the working directory', () => {
    const text = readFileSync('rigs/lab-b210-srsran.yaml', 'utf8')
      .replace('caFile: /etc/ranlab/certs/ca.pem', 'caFile: certs/ca.pem')
      .replace(/keyFile: \/etc\/ranlab\/keys\/op-a.key/, 'keyFile: ../keys/op-a.key');
    const rig = parseRig(text, '/lab/rigs/bench.yaml', '/lab/rigs');
    expect(rig.tls?.caFile).toBe('/lab/rigs/certs/ca.pem');
    expect(rig.tls?.certFile).toBe('/etc/ranlab/certs/controller.pem');
    expect(rig.operators[0]!.account).toEqual({ keyFile: '/lab/keys/op-a.key' });
  });

  it('a missing file is a configuration error', () => {
    expect(() => loadRig('rigs/nope.yaml')).toThrow(ConfigError);
    expect(() => loadRig('rigs/nope.yaml')).toThrow(/rigs\/nope\.yaml: cannot read rig file \(no such file\)/);
  });
});

// The certificate machinery: `ranlab certs init` (as its own process) and the files it writes,
// checked with Node's own X.509 parser (not the library that made them), and how the
// controller reads certificate files: clear errors naming the side and the file.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFiles, controllerFiles, readTlsFiles } from '../harness/certs/index.js';
import { ConfigError } from '../harness/errors.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-certs-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ranlab = (args: string[]) => execa(process.execPath, ['bin/ranlab.js', ...args], { reject: false, all: true, env: { RANLAB_LOG_LEVEL: 'warn' } });
const cert = (path: string) => new X509Certificate(readFileSync(path));

describe('ranlab certs init', () => {
  it('--agents: a lab CA, the controller and each agent, 0600 files in a 0700 folder, a chain that verifies', async () => {
    const dir = join(tmp, 'lab');
    const run = await ranlab(['certs', 'init', dir, '--agents', 'gnb-a,gnb-b']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toMatch(/wrote 8 files to .*lab/);
    expect(readdirSync(dir).sort()).toEqual([
      'agent-gnb-a-key.pem', 'agent-gnb-a.pem', 'agent-gnb-b-key.pem', 'agent-gnb-b.pem', 'ca-key.pem', 'ca.pem', 'controller-key.pem', 'controller.pem',
    ]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);

    const ca = cert(join(dir, 'ca.pem'));
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    for (const id of ['gnb-a', 'gnb-b']) {
      const a = cert(agentFiles(dir, id).certFile);
      expect(a.ca).toBe(false);
      expect(a.subject).toBe(`CN=${id}`);
      expect(a.subjectAltName).toBe(`DNS:${id}`);
      expect(a.checkIssued(ca)).toBe(true);
      expect(a.verify(ca.publicKey)).toBe(true);
      expect(a.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth only
      // The key is the certificate's.
      const key = createPrivateKey(readFileSync(agentFiles(dir, id).keyFile));
      expect(a.checkPrivateKey(key)).toBe(true);
    }
    const c = cert(controllerFiles(dir).certFile);
    expect(c.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth only
    expect(c.verify(ca.publicKey)).toBe(true);
    // An independent verifier agrees (OpenSSL, when the host has it).
    let openssl: string | null = null;
    try {
      openssl = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', 'sslserver', agentFiles(dir, 'gnb-a').certFile], { encoding: 'utf8' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (openssl !== null) expect(openssl).toMatch(/: OK/);
  });

  it('refuses to overwrite a lab folder unless --force', async () => {
    const dir = join(tmp, 'lab2');
    expect((await ranlab(['certs', 'init', dir, '--agents', 'gnb-a'])).exitCode).toBe(0);
    const before = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const again = await ranlab(['certs', 'init', dir, '--agents', 'gnb-a']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already holds certificates .*use --force/);
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(before);
    expect((await ranlab(['certs', 'init', dir, '--agents', 'gnb-a', '--force'])).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).not.toBe(before);
  });

  it('--rig: one agent per base station, the host of its address as a further name', async () => {
    const dir = join(tmp, 'lab3');
    const run = await ranlab(['certs', 'init', dir, '--rig', 'rigs/lab-b210-srsran.yaml']);
    expect(run.exitCode, run.all).toBe(0);
    expect(cert(agentFiles(dir, 'gnb-b').certFile).subjectAltName).toBe('DNS:gnb-b, DNS:gnb-b.rig1.lab.example');
  });

  it('bad usage: exit 2 with what was wrong', async () => {
    const none = await ranlab(['certs', 'init', join(tmp, 'x')]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/no agents: give --agents gnb-a,gnb-b or --rig <file>/);
    const bad = await ranlab(['certs', 'init', join(tmp, 'y'), '--agents', 'gnb a']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/agent id "gnb a": expected letters, digits/);
  });
});

describe('rig files name the certificates', () => {
  it('a lab rig without tls fails validate, naming each agent that needs it', async () => {
    const text = readFileSync('rigs/lab-b210-srsran.yaml', 'utf8');
    // The file alone is valid; on this host (not the lab's controller) its key files are missing.
    expect((await ranlab(['validate', '--file-only', 'rigs/lab-b210-srsran.yaml'])).exitCode).toBe(0);
    const here = await ranlab(['validate', 'rigs/lab-b210-srsran.yaml']);
    expect(here.exitCode).toBe(2);
    expect(here.stderr).toMatch(/op-a.key/);
    const bare = join(tmp, 'no-tls.yaml');
    writeFileSync(bare, text.replace(/^tls:\n(  .*\n)+/m, ''));
    const run = await ranlab(['validate', '--file-only', bare]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/basestations\[0\]\.driver: the srsran-project agent needs mutual TLS: add tls \{caFile, certFile, keyFile\}/);
    expect(run.stderr).toMatch(/basestations\[1\]\.driver: /);
  });
});

describe('reading certificate files', () => {
  it('errors name the side and the file: missing, world-readable key, not PEM, a FIFO (without hanging)', async () => {
    const dir = join(tmp, 'lab');
    const files = controllerFiles(dir);
    const check = (f: typeof files, msg: RegExp, code: string) => {
      let err: unknown;
      try {
        readTlsFiles(f, 'controller');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe(code);
      expect((err as Error).message).toMatch(msg);
    };
    expect(readTlsFiles(files, 'controller').key.length).toBeGreaterThan(100);
    check({ ...files, caFile: join(dir, 'nope.pem') }, /^controller: cannot read CA certificate .*nope\.pem: ENOENT/, 'TLS_FILE_UNREADABLE');
    const open = join(tmp, 'open-key.pem');
    writeFileSync(open, readFileSync(files.keyFile));
    chmodSync(open, 0o644);
    check({ ...files, keyFile: open }, /^controller: private key .*open-key\.pem is readable by others \(mode 644\): chmod 600 it/, 'TLS_KEY_EXPOSED');
    check({ ...files, certFile: files.keyFile }, /^controller: certificate .*controller-key\.pem is not a PEM certificate/, 'TLS_FILE_INVALID');
    const fifo = join(tmp, 'fifo.pem');
    execFileSync('mkfifo', [fifo]);
    const t = Date.now();
    check({ ...files, caFile: fifo }, /fifo\.pem is not a regular file/, 'TLS_FILE_UNREADABLE');
    expect(Date.now() - t).toBeLessThan(1000);
  });
});

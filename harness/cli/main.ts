// The `ranlab` command line. Exit codes (DESIGN.md): 0 success, 1 trial failed its
// acceptance criteria, 2 bad input or configuration, 3 a rig component unreachable or
// failed, 130 interrupted.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, exitCodeOf, messageOf } from '../errors.js';
import { log } from '../log.js';
import { packageRoot } from '../paths.js';
import { registerCompare } from './compare.js';
import { registerNightly } from './nightly.js';
import { registerReport } from './report.js';
// Commands import what they need when they run: agents (twin-gnb, twin-modem) start fast.

const defaultRig = resolve(packageRoot, 'rigs', 'twin.yaml');
const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };

function int(name: string, min: number, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** `--short-conditions 2000/30`: each offload condition's minimum duration (ms) and query count. */
function shortConditions(v: string): { minDurationMs: number; minQueries: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError('expected <ms>/<queries>, two whole numbers from 1, e.g. 2000/30');
  return { minDurationMs: Number(m[1]), minQueries: Number(m[2]) };
}

const say = (line: string) => process.stderr.write(`ranlab: ${line}\n`);

async function main(argv: string[]): Promise<number> {
  // The gNB stand-in takes the gnb's own command line (its `-v` / `--version` included), not ranlab's options.
  if (argv[0] === 'srsgnb-standin') {
    const { runStandinGnb } = await import('../twin/srsgnb/main.js');
    await runStandinGnb(argv.slice(1));
    return 0;
  }
  const program = new Command('ranlab')
    .description('Hardware-in-the-loop harness for RAN trials: ledger-decided spectrum sharing on the digital twin or real radios.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let exitCode = 0;

  program
    .command('validate')
    .description('check a rig file against the schema and its cross-references')
    .argument('[rig]', 'rig file', defaultRig)
    .option('--file-only', "check the file alone, not this host's key files (a lab rig checked away from its controller host)")
    .action(async (rigPath: string, o: { fileOnly?: boolean }) => {
      const { loadRig } = await import('../rig/index.js');
      const rig = loadRig(rigPath, { checkKeyFiles: !o.fileOnly });
      process.stdout.write(
        `${rigPath}: valid rig "${rig.name}" (${rig.mode}): ${rig.operators.length} operators, ${rig.basestations.length} base stations, ` +
          `${rig.ues.length} UEs, ${rig.edge.length} edge hosts; ledger ${rig.ledger.embedded ? 'embedded' : rig.ledger.rpc}; ` +
          `influx ${rig.influx.embedded ? 'embedded' : rig.influx.url}\n`,
      );
    });

  program
    .command('trial')
    .description("run a trial of the rig's kind (spectrum sharing, offload latency, or combined): bring up the rig, run it, tear down, print and save the report")
    .argument('[rig]', 'rig file', defaultRig)
    .addOption(new Option('--kind <kind>', "trial kind (default: the rig file's trial.kind)").choices(['spectrum', 'offload', 'combined']))
    .addOption(new Option('--policy <policy>', 'who decides the grants: the ledger contract, or a baseline').choices(['ledger', 'random', 'equal']))
    .option('--epochs <n>', 'number of epochs (default: the rig file\'s trial.epochs)', int('--epochs', 1, 100_000))
    .option('--epoch-ms <ms>', 'epoch length in ms (default: the rig file\'s spectrum.epochMs)', int('--epoch-ms', 50, 3_600_000))
    .option('--seed <n>', 'seed of the random policy, to repeat a run', int('--seed', 0, 2 ** 31 - 1))
    .addOption(new Option('--clock <clock>', "the twin's time: real, or virtual (advanced by the trial: as fast as the machine computes; twin spectrum trials only)").choices(['real', 'virtual']))
    .option('--junit <file>', 'write a JUnit XML file: a case per bring-up component and per acceptance criterion')
    .option('--results <dir>', 'results folder (a sub-folder per trial id)', resolve(packageRoot, 'results'))
    .option('--state <dir>', 'state folder: the embedded influxd\'s data and the spools of unwritten points', resolve(packageRoot, '.ranlab'))
    .option('--json', 'print the report as JSON instead of a table')
    .option(
      '--short-conditions <ms/queries>',
      "for tests and smoke runs: below LoadGen minimums, the report marks every condition as not meeting them (offload kinds; each condition's minimum duration and query count, e.g. 2000/30)",
      shortConditions,
    )
    .action(async (rigPath: string, o: { kind?: 'spectrum' | 'offload' | 'combined'; policy?: 'ledger' | 'random' | 'equal'; epochs?: number; epochMs?: number; seed?: number; clock?: 'real' | 'virtual'; results: string; state: string; json?: boolean; junit?: string; shortConditions?: { minDurationMs: number; minQueries: number } }) => {
      // A twin's agents need this trial's certificates: their issuer loads on its own thread
      // meanwhile, and issues the set as soon as the rig names the agents.
      const issuer = await import('../certs/issuer.js');
      issuer.startTrialIssuer();
      const { agentStartedHere, loadRig } = await import('../rig/index.js');
      const [startedAt, records]: [Date, import('../trial/spectrum.js').EpochRecord[]] = [new Date(), []];
      const rig = loadRig(rigPath, { checkKeyFiles: true });
      // The embedded chain's thread loads Hardhat, and the certificates are issued, while this
      // thread loads the trial's modules.
      if (rig.ledger.embedded) (await import('../ledger/chain-thread-client.js')).startChainThread();
      issuer.prefetchTrialCerts(rig.basestations.filter((b) => agentStartedHere(rig, b)).map((b) => b.id));
      const { runTrial } = await import('../trial/run-trial.js');
      const { formatReport } = await import('../report/index.js');
      const { epochProgress } = await import('./progress.js');
      const outcome = await runTrial(rig, {
        kind: o.kind,
        records,
        policy: o.policy,
        epochs: o.epochs,
        epochMs: o.epochMs,
        seed: o.seed,
        clock: o.clock,
        resultsRoot: o.results,
        stateDir: o.state,
        say,
        progress: (o.kind ?? rig.trial.kind) === 'spectrum' ? epochProgress() : undefined,
        shortConditions: o.shortConditions,
      });
      process.stdout.write((o.json ? JSON.stringify(outcome.report, null, 2) : formatReport(outcome.report)) + '\n');
      say(`report written to ${outcome.reportPath}`);
      for (const p of outcome.teardownProblems) say(`teardown: ${p}`);
      if (outcome.error) say(`error: ${messageOf(outcome.error)}`);
      exitCode = outcome.exitCode;
      exitCode = (await import('./trial-accept.js')).afterTrial(rig, outcome, records, { junit: o.junit, startedAt, say });
    });

  program
    .command('spool')
    .description('points that could not be written to InfluxDB wait in a spool per destination; `replay` writes them now')
    .addArgument(new Argument('<action>', 'what to do').choices(['replay', 'list']))
    .argument('[rig]', 'only the destination of this rig file (its InfluxDB URL, with any credentials)')
    .option('--state <dir>', 'the state folder holding the spools', resolve(packageRoot, '.ranlab'))
    .action(async (action: 'replay' | 'list', rigPath: string | undefined, o: { state: string }) => {
      const { spoolCommand } = await import('./spool.js');
      exitCode = await spoolCommand(action, { stateDir: o.state, rigPath, say, out: (l) => process.stdout.write(l + '\n') });
    });

  program
    .command('preflight')
    .description('check every component of a rig (radios, modems, edge hosts, ledger, InfluxDB); exit 0 only when all pass')
    .argument('[rig]', 'rig file', defaultRig)
    .option('--json', 'print the rows as JSON')
    .option('--timeout-ms <ms>', 'time allowed to each check', int('--timeout-ms', 100, 60_000), 6000)
    .action(async (rigPath: string, o: { json?: boolean; timeoutMs: number }) => {
      const { loadRig } = await import('../rig/index.js');
      const { runPreflight, formatPreflight, preflightPassed } = await import('../preflight/index.js');
      const rows = await runPreflight(loadRig(rigPath), { timeoutMs: o.timeoutMs });
      const passed = preflightPassed(rows);
      process.stdout.write((o.json ? JSON.stringify({ passed, rows }, null, 2) : formatPreflight(rows)) + '\n');
      if (!passed) exitCode = 3;
    });

  program
    .command('verify')
    .description("check a trial's spectrum records: every settlement's on-chain digest against the trial's KPM points in InfluxDB; exit 1 on any mismatch")
    .argument('<trial-id>', 'the trial, as its results folder is named')
    .option('--results <dir>', 'results root', join(packageRoot, 'results'))
    .action(async (trialId: string, o: { results: string }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(trialId) || trialId.includes('..')) throw new ConfigError(`verify: "${trialId}" is not a trial id`, 'VERIFY_BAD_ID');
      const { verifyTrial, formatVerify } = await import('../trial/verify.js');
      const r = await verifyTrial(join(resolve(o.results), trialId));
      process.stdout.write(formatVerify(r) + '\n');
      if (!r.ok) exitCode = 1;
    });

  program
    .command('ue')
    .description("talk to one UE by hand: `at '<command>'` sends one AT command and prints the reply; `status` prints its parsed state")
    .argument('<rig>', 'rig file')
    .argument('<ue-id>', 'the UE, as the rig file names it')
    .addArgument(new Argument('<action>', 'what to do').choices(['at', 'status']))
    .argument('[command]', "the AT command, for `at` (quote it: 'AT+QENG=\"servingcell\"')")
    .option('--json', 'print the parsed state (status) or the reply (at) as JSON')
    .action(async (rigPath: string, ueId: string, action: 'at' | 'status', command: string | undefined, o: { json?: boolean }) => {
      const { loadRig } = await import('../rig/index.js');
      const { ueCommand } = await import('../ue/cli.js');
      const r = await ueCommand(loadRig(rigPath), ueId, action, command, { json: o.json });
      process.stdout.write(r.text);
      if (!r.ok) exitCode = 1;
    });

  program.addCommand((await import('./certs.js')).certsCommand((line) => process.stdout.write(line + '\n')));
  const ctx = { say, setExit: (c: number) => (exitCode = c), defaults: { results: resolve(packageRoot, 'results'), state: resolve(packageRoot, '.ranlab') } };
  registerNightly(program, ctx);
  registerReport(program, ctx);
  registerCompare(program, ctx);

  program
    .command('ran-agent')
    .description('run the RAN agent on a gNB host: serves E2 (gRPC, mutual TLS) and drives the local base station through a backend')
    .requiredOption('--backend <name>', 'backend: twin, srsran-project (see README, "RAN agent backends")')
    .requiredOption('--config <file>', 'agent configuration (YAML or JSON)')
    .action(async (o: { backend: string; config: string }) => {
      const { runRanAgent } = await import('../ran/agent/index.js');
      await runRanAgent(o.backend, o.config);
    });

  program
    .command('edge-agent')
    .description('run an edge host agent: status (NVML or CPU figures), deploy, streamed inference, clock exchange, over mutual TLS')
    .requiredOption('--config <file>', 'agent configuration (JSON): {id, listen, tls: {caFile, certFile, keyFile}}')
    .action(async (o: { config: string }) => {
      const { runEdgeAgent } = await import('../edge/index.js');
      await runEdgeAgent(o.config);
    });

  program
    .command('ue-host', { hidden: true })
    .description('(internal) one UE\'s host process in an offload trial: the head of the model and the UE\'s path to the edge, driven by the controller over a Unix socket')
    .requiredOption('--id <ue>', 'the UE (as the rig names it)')
    .requiredOption('--socket <path>', 'the Unix socket the controller connects to (in a private folder)')
    .action(async (o: { id: string; socket: string }) => {
      const { runUeHost } = await import('../offload/uehost/host.js');
      await runUeHost(o.id, o.socket);
    });

  program
    .command('twin-gnb', { hidden: true })
    .description('(internal) the RAN agent with the twin backend (ran-agent --backend twin)')
    .requiredOption('--config <file>', 'agent configuration (JSON), written by the controller')
    .action(async (o: { config: string }) => {
      const { runRanAgent } = await import('../ran/agent/index.js');
      await runRanAgent('twin', o.config);
    });

  program
    .command('srsgnb-standin', { hidden: true })
    .description('(internal) a stand-in for the srsRAN Project gnb binary: gnb -c <yaml> [--twin <json>] | gnb --version [--report-version <x.y.z>]')
    .allowUnknownOption()
    .option('-c <file>', 'gNB configuration (YAML)')
    .option('--twin <file>', "the twin's side: air folder, cell id, UEs")
    .action(async () => {
      const { runStandinGnb } = await import('../twin/srsgnb/main.js');
      await runStandinGnb(process.argv.slice(3));
    });

  program
    .command('twin-modem', { hidden: true })
    .description('(internal) run one twin modem: the AT command set on a real pseudo-terminal')
    .requiredOption('--config <file>', 'modem configuration (JSON), written by the controller')
    .action(async (o: { config: string }) => {
      const { runTwinModem } = await import('../twin/modem.js');
      await runTwinModem(o.config);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { code?: string }).code;
    // --help and --version succeed; help shown because no command was given is a usage error.
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    if (code?.startsWith('commander.')) return 2;
    if (!(err instanceof ConfigError)) log.debug({ err }, 'command failed');
    process.stderr.write(`ranlab: error: ${messageOf(err)}\n`);
    return exitCodeOf(err);
  }
  return exitCode;
}

const code = await main(process.argv.slice(2));
// Agents (twin-gnb, twin-modem, edge-agent, ue-host) keep running until told to stop; commands end here, and so
// does an agent that failed to start.
if (code !== 0 || !['twin-gnb', 'twin-modem', 'edge-agent', 'ran-agent', 'srsgnb-standin', 'ue-host'].includes(process.argv[2] ?? '')) process.exit(code);

// `ranlab certs init <dir>`: a lab CA and the certificates of the controller and each agent,
// for mutual TLS between them (harness/certs). Agents come from --agents or from a rig's
// base stations (each agent's certificate names its base station's id, and the host of its
// address as a further name).
import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

function agentList(v: string): string[] {
  const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new InvalidArgumentError('expected agent ids separated by commas, e.g. gnb-a,gnb-b');
  return ids;
}

/** The `certs` command and its sub-commands. */
export function certsCommand(out: (line: string) => void): Command {
  const certs = new Command('certs').description('mutual TLS between the controller and its agents: make a lab CA and certificates');
  certs
    .command('init')
    .description('create a lab CA and certificates for the controller and each agent in <dir> (folder 0700, files 0600)')
    .argument('<dir>', 'folder to write into (created if missing)')
    .option('--agents <ids>', 'agent ids, comma separated: the rig ids of the base stations (gnb-a,gnb-b)', agentList)
    .option('--rig <file>', 'take the agents from a rig file: every base station with an agent')
    .option('--controller-name <name>', "CN of the controller's certificate", 'ranlab-controller')
    .option('--force', 'replace certificates already in <dir>')
    .action(async (dir: string, o: { agents?: string[]; rig?: string; controllerName: string; force?: boolean }) => {
      const { initLabCerts } = await import('../certs/index.js');
      const agents: { id: string; hosts?: string[] }[] = (o.agents ?? []).map((id) => ({ id }));
      if (o.rig) {
        const { loadRig } = await import('../rig/index.js');
        for (const bs of loadRig(o.rig).basestations) {
          if (agents.some((a) => a.id === bs.id)) continue;
          const host = bs.address?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
          agents.push({ id: bs.id, hosts: host && host !== bs.id ? [host] : [] });
        }
      }
      if (!agents.length) throw new ConfigError('certs init: no agents: give --agents gnb-a,gnb-b or --rig <file>', 'USAGE');
      const target = resolve(dir);
      const files = await initLabCerts(target, { agents, controllerName: o.controllerName, force: o.force });
      out(`wrote ${files.length} files to ${target}:`);
      for (const f of files) out(`  ${f}`);
      out('copy ca.pem and agent-<id>.pem, agent-<id>-key.pem to each agent host; keep ca-key.pem offline.');
      out(`rig: tls: { caFile: ${target}/ca.pem, certFile: ${target}/controller.pem, keyFile: ${target}/controller-key.pem }`);
    });
  return certs;
}

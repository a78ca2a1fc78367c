#!/usr/bin/env node
/**
 * mediant-sim: run the device simulator from the command line.
 *   mediant-sim [--firmware 7.0|7.2|7.4] [--port 8080] [--host 127.0.0.1]
 *               [--tls | --cert FILE --key FILE] [--user Admin --password Admin]
 *               [--scenario] [--boot-time MS] [--serial NUMBER] [--ha]
 * Prints the URL (the real port when --port 0) and the credentials in use;
 * stops cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { DEFAULT_FIRMWARE, FIRMWARES, startSimulator } from './index';
import type { SimulatorOptions, SimUser } from './types';

const HELP = `Usage: mediant-sim [options]
  --firmware V      the firmware to play: ${FIRMWARES.join(', ')} (default ${DEFAULT_FIRMWARE}, what a
                    device bought today runs; 7.0 is the vendor's 2015 document)
  --port N          port to listen on (default 8080; 0 = any free port)
  --host ADDR       address to listen on (default 127.0.0.1)
  --tls             HTTPS with a self-signed certificate made at start
  --cert FILE       HTTPS with this PEM certificate (needs --key)
  --key FILE        PEM private key for --cert
  --user NAME       REST API user (Security Administrator; default Admin)
  --password PASS   its password (default Admin)
  --scenario        demo: raise and clear realistic alarms every 5 s; PM and KPI values move
  --scenario-period MS  scenario period (default 5000)
  --boot-time MS    how long a reset keeps the device unreachable (default 3000)
  --serial NUMBER   device serial number (license check)
  --ha              start in HA mode (highAvailability "Active")
  --help            this text
Control API (no auth): <url>/__sim/state, /__sim/alarms, /__sim/faults, /__sim/log ...`;

function fail(msg: string): never {
  process.stderr.write(`mediant-sim: ${msg}\n${HELP}\n`);
  process.exit(2);
}

function parse(argv: string[]): { opts: SimulatorOptions; ha: boolean; user: string; password: string } {
  const flags = new Set(['--tls', '--scenario', '--ha', '--help', '-h']);
  const values = new Map<string, string>();
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (flags.has(a)) {
      seen.add(a);
      continue;
    }
    if (!['--firmware', '--port', '--host', '--cert', '--key', '--user', '--password', '--boot-time', '--serial', '--scenario-period'].includes(a)) fail(`unknown option ${a}`);
    if (v === undefined) {
      v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
    }
    values.set(a, v);
  }
  if (seen.has('--help') || seen.has('-h')) {
    process.stdout.write(HELP + '\n');
    process.exit(0);
  }
  const num = (name: string, def: number): number => {
    const s = values.get(name);
    if (s === undefined) return def;
    if (!/^[0-9]+$/.test(s)) fail(`${name} must be a whole number`);
    return Number(s);
  };
  const port = num('--port', 8080);
  if (port > 65535) fail('--port must be 0..65535');
  const user = values.get('--user') ?? 'Admin';
  const password = values.get('--password') ?? 'Admin';
  const users: SimUser[] = [{ username: user, password, privilege: 'securityAdmin' }];
  if (user !== 'Operator') users.push({ username: 'Operator', password: 'Operator', privilege: 'admin' });
  if (user !== 'Monitor') users.push({ username: 'Monitor', password: 'Monitor', privilege: 'monitor' });
  const firmware = values.get('--firmware') ?? DEFAULT_FIRMWARE;
  if (!(FIRMWARES as readonly string[]).includes(firmware)) fail(`--firmware must be one of ${FIRMWARES.join(', ')}`);
  const opts: SimulatorOptions = {
    firmware: firmware as SimulatorOptions['firmware'],
    port,
    host: values.get('--host') ?? '127.0.0.1',
    users,
    bootTimeMs: num('--boot-time', 3000),
  };
  const cert = values.get('--cert');
  const key = values.get('--key');
  if ((cert === undefined) !== (key === undefined)) fail('--cert and --key go together');
  try {
    if (cert !== undefined && key !== undefined) opts.tls = { cert: readFileSync(cert), key: readFileSync(key) };
    else if (seen.has('--tls')) opts.tls = true;
  } catch (e) {
    fail(`cannot read certificate or key: ${(e as Error).message}`);
  }
  if (seen.has('--scenario')) opts.scenario = { periodMs: num('--scenario-period', 5000) };
  if (values.has('--serial')) opts.serialNumber = values.get('--serial');
  return { opts, ha: seen.has('--ha'), user, password };
}

async function main(): Promise<void> {
  const { opts, ha, user, password } = parse(process.argv.slice(2));
  const sim = await startSimulator(opts);
  if (ha) sim.control.setHaMode(true);
  const monitorNote =
    opts.firmware === '7.4'
      ? 'users "Operator"/"Operator" (Administrator) and "Monitor"/"Monitor" (Monitor) get what their level allows'
      : 'users "Operator" and "Monitor" get 403: this firmware wants a Security Administrator';
  const lines = [
    `Mediant simulator (firmware ${opts.firmware}) listening on ${sim.url}`,
    `REST API: ${sim.url}/api/v1  (Basic auth: user "${user}", password "${password}", Security Administrator; ${monitorNote})`,
    `Control API (no auth): ${sim.url}/__sim/state`,
  ];
  if (sim.certificate) {
    const fp = new X509Certificate(sim.certificate).fingerprint256;
    lines.push(`HTTPS certificate SHA-256 fingerprint: ${fp}`);
    if (opts.tls === true) lines.push(`Self-signed: fetch it with  curl -k ${sim.url}/__sim/certificate > sim.pem  and use --cacert sim.pem`);
  }
  if (opts.scenario) lines.push('Scenario mode: alarms are raised and cleared over time; PM and KPI values move');
  lines.push(`Try: curl -u ${user}:${password} ${sim.protocol === 'https' ? '-k ' : ''}${sim.url}/api/v1/status`);
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`mediant-sim: ${sig}, stopping\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`mediant-sim: ${(e as Error).message ?? String(e)}\n`);
  process.exit(1);
});

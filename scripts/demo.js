#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the package at work with no device and no outside service.
 *
 *  1. a device simulator in scenario mode on 127.0.0.1 (alarms raised and
 *     cleared every few seconds, PM values moving), plain http: it is reached
 *     over loopback only, and https would need a tls-config node with the
 *     simulator's own CA in every example, which is beside the point here;
 *  2. a real Node-RED (the node-red 4 of our devDependencies, as a child
 *     process) on 127.0.0.1, with a fresh user directory in the system's temp
 *     folder where this package is linked into node_modules, so it loads as an
 *     installed module does (icons, message catalogs, Import > Examples);
 *  3. every flow of examples/ deployed through the admin API, with the device
 *     config node pointed at the simulator and the demo's credentials in the
 *     POST (Node-RED stores them encrypted), plus a "Demo receivers" tab that
 *     stands in for the chat webhook and the ticketing API.
 *
 * The device credentials come from the command line (--user/--password), the
 * environment (MEDIANT_DEMO_USER/MEDIANT_DEMO_PASSWORD), or are generated at
 * random at every start; the password is never printed.
 *
 * Nothing is built here: `npm install` (prepare) has built the package.
 * Ctrl-C stops Node-RED and the simulator and removes the temp folder.
 *
 * --check: start everything, wait until a chat message arrived, a ticket was
 * opened and closed and the remediation reported, then stop and exit 0
 * (1 when that does not happen within --timeout seconds). For CI.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { receiverFlow } = require('./demo-receivers');

const ROOT = path.resolve(__dirname, '..');
const PKG = require(path.join(ROOT, 'package.json'));
const HOST = '127.0.0.1';
const EXAMPLES_DIR = path.join(ROOT, 'examples');

const USAGE = `Usage: npm start [-- options]   (or: node scripts/demo.js [options])

  --user NAME        device user name for the simulator and the flows (default: random)
  --password SECRET  its password (default: random, never printed)
  --port N           Node-RED editor port on 127.0.0.1 (default 1880; 0 = any free port)
  --sim-port N       simulator port on 127.0.0.1 (default 0 = any free port)
  --check            start, wait for chat messages, a ticket opened and closed and a
                     remediation report, then stop; exit 0 on success (for CI)
  --timeout S        how long --check waits (default 180)
  --help

Environment: MEDIANT_DEMO_USER / MEDIANT_DEMO_PASSWORD instead of --user / --password.`;

function fail(message) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(2);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        user: { type: 'string' },
        password: { type: 'string' },
        port: { type: 'string' },
        'sim-port': { type: 'string' },
        check: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${e.message}\n\n${USAGE}`);
  }
  if (parsed.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const port = (name, value, fallback) => {
    if (value === undefined) return fallback;
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) fail(`--${name} must be a port number 0-65535, got "${value}"`);
    return Number(value);
  };
  const timeout = parsed.timeout === undefined ? 180 : Number(parsed.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) fail(`--timeout must be a whole number of seconds, got "${parsed.timeout}"`);
  const generated = parsed.password === undefined && !process.env.MEDIANT_DEMO_PASSWORD;
  return {
    user: parsed.user ?? process.env.MEDIANT_DEMO_USER ?? `demo-${crypto.randomBytes(2).toString('hex')}`,
    password: parsed.password ?? process.env.MEDIANT_DEMO_PASSWORD ?? crypto.randomBytes(18).toString('base64url'),
    generated,
    port: port('port', parsed.port, 1880),
    simPort: port('sim-port', parsed['sim-port'], 0),
    check: Boolean(parsed.check),
    timeoutMs: timeout * 1000,
  };
}

/** The compiled package (npm install builds it); a plain message when it is missing. */
function loadBuilt() {
  const missing = ['simulator/index.js', ...Object.values(PKG['node-red'].nodes)].filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) fail(`the package is not built (${missing[0]} is missing): run "npm install" (or "npm run build") first`);
  return require(path.join(ROOT, 'simulator'));
}

function freePort(wanted) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e) => reject(e.code === 'EADDRINUSE' ? new Error(`port ${wanted} on ${HOST} is in use: pass --port N (or --port 0 for any free port)`) : e));
    srv.listen(wanted, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** JSON (or text) from Node-RED; every call has a timeout. */
async function call(base, method, p, body, headers = {}) {
  const res = await fetch(base + p, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** A user directory in which this package is installed as Node-RED finds installed modules. */
function makeUserDir(port) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-mediant-demo-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', version: '0.0.1', private: true, dependencies: { [PKG.name]: `file:${ROOT}` } }, null, 2));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PKG.name), process.platform === 'win32' ? 'junction' : 'dir');
  const settings = {
    uiHost: HOST,
    uiPort: port,
    flowFile: 'flows.json',
    flowFilePretty: true,
    // a new key every run: the credentials file is encrypted, and thrown away at exit
    credentialSecret: crypto.randomBytes(24).toString('hex'),
    // no consent prompt, no update check, no tour: nothing leaves this machine or covers the editor
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    editorTheme: { tours: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false } },
    functionExternalModules: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  const settingsFile = path.join(dir, 'settings.js');
  fs.writeFileSync(settingsFile, `// written by scripts/demo.js\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`);
  fs.mkdirSync(path.join(dir, 'backups'));
  const restoreFile = path.join(dir, 'restore-example.ini');
  fs.writeFileSync(restoreFile, '; an incremental INI for the backup example\'s restore branch (demo)\r\n[SYSTEM Params]\r\nSyslogServerIP = 10.4.2.24\r\n');
  return { dir, settingsFile, backupDir: path.join(dir, 'backups'), restoreFile };
}

function removeUserDir(dir) {
  try {
    fs.unlinkSync(path.join(dir, 'node_modules', PKG.name)); // the link first: never follow it into the repo
  } catch {
    /* already gone */
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Every example as its own tab, the shared device config node pointed at the simulator, with credentials. */
function demoFlows(sim, opts) {
  const nodes = [];
  const seen = new Set();
  const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
    const comment = flow.find((n) => n.type === 'comment');
    const label = comment ? comment.name.split(':')[0] : file.replace(/\.json$/, '');
    for (const z of new Set(flow.map((n) => n.z).filter(Boolean))) {
      nodes.push({ id: z, type: 'tab', label, disabled: false, info: `examples/${file}` });
    }
    for (const n of flow) {
      if (seen.has(n.id)) continue; // the device config node is shared by all examples
      seen.add(n.id);
      if (n.type === 'mediant-device') {
        nodes.push({ ...n, host: sim.host, port: String(sim.port), protocol: sim.protocol, tls: '', credentials: { username: opts.user, password: opts.password } });
      } else {
        nodes.push(n);
      }
    }
  }
  return [...nodes, ...receiverFlow()];
}

function prefixLines(stream, prefix, sink) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop();
    for (const l of lines) sink(`${prefix}${l}\n`);
  });
  stream.on('end', () => rest && sink(`${prefix}${rest}\n`));
}

async function main() {
  const opts = options();
  const { startSimulator } = loadBuilt();
  const port = await freePort(opts.port).catch((e) => fail(e.message));
  const editor = `http://${HOST}:${port}`;

  const log = [];
  // --check keeps Node-RED's log for when something goes wrong; the demo shows it
  const out = opts.check ? (s) => log.push(s) : (s) => process.stdout.write(s);
  const say = (s) => process.stdout.write(`${s}\n`);

  const sim = await startSimulator({
    host: HOST,
    port: opts.simPort,
    users: [{ username: opts.user, password: opts.password, privilege: 'securityAdmin' }],
    scenario: { periodMs: 5000 },
    // long enough to watch the remediation's reset in the editor (status "restarting…")
    bootTimeMs: 5000,
  });
  const user = makeUserDir(port);
  const env = {
    ...process.env,
    CHAT_WEBHOOK_URL: `${editor}/demo/chat`,
    TICKET_API_URL: `${editor}/demo/tickets`,
    BACKUP_DIR: user.backupDir,
    RESTORE_FILE: user.restoreFile,
    MEDIANT_HOST: sim.host,
    MEDIANT_PORT: String(sim.port),
    NODE_OPTIONS: '',
  };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];

  let redJs;
  try {
    redJs = require.resolve('node-red/red.js', { paths: [ROOT] });
  } catch {
    await sim.close();
    removeUserDir(user.dir);
    fail('node-red is not installed: it is a devDependency, run "npm install" in the repository');
  }
  const red = spawn(process.execPath, [redJs, '--userDir', user.dir, '--settings', user.settingsFile, '--port', String(port)], {
    cwd: user.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(red.stdout, '[node-red] ', out);
  prefixLines(red.stderr, '[node-red] ', out);
  const exited = new Promise((resolve) => red.once('exit', (code, signal) => resolve({ code, signal })));
  let redGone = false;
  exited.then(() => {
    redGone = true;
  });

  const timers = [];
  let stopping;
  const stop = (code) => {
    if (stopping) return stopping;
    stopping = (async () => {
      for (const t of timers) clearTimeout(t);
      if (!redGone) {
        red.kill('SIGINT');
        const kill = setTimeout(() => red.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(kill);
      }
      await sim.close();
      removeUserDir(user.dir);
      process.exit(code);
    })();
    return stopping;
  };
  let interrupts = 0;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (++interrupts > 1) process.exit(130);
      say('\nstopping Node-RED and the simulator…');
      stop(0);
    });
  }
  exited.then(({ code, signal }) => {
    if (stopping) return;
    if (opts.check) process.stdout.write(log.join(''));
    say(`demo: Node-RED stopped by itself (${signal || `exit code ${code}`})`);
    stop(1);
  });

  try {
    await waitForEditor(editor, () => redGone, 90000);
    await checkModuleLoaded(editor);
    const deployed = await call(editor, 'POST', '/flows', demoFlows(sim, opts), { 'node-red-deployment-type': 'full', 'node-red-api-version': 'v1' });
    if (deployed.status !== 200 && deployed.status !== 204) throw new Error(`deploying the examples failed: ${deployed.status} ${deployed.text.slice(0, 300)}`);
  } catch (e) {
    if (opts.check) process.stdout.write(log.join(''));
    say(`demo: ${e.message}`);
    return stop(1);
  }

  say('');
  say('────────────────────────────────────────────────────────────────────────');
  say(` Node-RED editor:   ${editor}/`);
  say(` device simulator:  ${sim.url}  (user "${opts.user}", ${opts.generated ? 'random password, not shown — pass --user/--password to choose your own' : 'your password'})`);
  say('');
  say(' What to look at (debug sidebar, on the right of the editor):');
  say('  • "Alarm to chat": alarms raised and cleared every few seconds → 💬 chat');
  say('  • "Alarm to ticket": 🎫 ticket opened on raised, updated to "closed" on cleared');
  say('  • "Remediation": when "Trunk is down" comes up (about 20 s in), the CLI fix runs');
  say('    and the chat reports it cleared');
  say('  • "PM watch" and "Configuration backup": alerts and files, see each tab\'s comment');
  say(`  • received so far: ${editor}/demo/chat and ${editor}/demo/tickets`);
  say(`  • backups are written to ${user.backupDir}`);
  if (!opts.check) {
    say('');
    say(' The demo also nudges the simulator so every path shows: NetUtilPackets[0] goes');
    say(' above its high threshold for 20 s every 2 minutes, and after 90 s a "Trunk is');
    say(' down" arrives that the CLI fix cannot clear, so the remediation resets the device.');
  }
  say('');
  say(' Ctrl-C stops everything.');
  say('────────────────────────────────────────────────────────────────────────');
  say('');

  if (opts.check) {
    const result = await checkDemo(editor, opts.timeoutMs, () => redGone);
    if (!result.ok) {
      process.stdout.write(log.join(''));
      say(`demo check FAILED: ${result.reason}`);
      return stop(1);
    }
    say(`demo check passed: ${result.chat} chat messages, ${result.tickets} tickets (${result.closed} closed), remediation reported: "${result.remediation}"`);
    return stop(0);
  }

  // Nudges, announced above: a PM spike every 2 minutes, one alarm the CLI fix cannot clear.
  const spike = () => {
    sim.control.setPmValue('NetUtilPackets', 0, 35000);
    timers.push(setTimeout(() => sim.control.setPmValue('NetUtilPackets', 0, 6000), 20000));
    timers.push(setTimeout(spike, 120000));
  };
  timers.push(setTimeout(spike, 45000));
  timers.push(
    setTimeout(() => {
      if (sim.control.state().up) sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#2' });
    }, 90000),
  );
}

async function waitForEditor(base, gone, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (gone()) throw new Error('Node-RED stopped while starting (its log is above)');
    try {
      const r = await call(base, 'GET', '/settings');
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`Node-RED did not answer on ${base} within ${ms / 1000} s`);
    await sleep(250);
  }
}

async function checkModuleLoaded(base) {
  const r = await call(base, 'GET', '/nodes');
  const sets = Array.isArray(r.json) ? r.json.filter((s) => s.module === PKG.name) : [];
  const types = new Set(sets.filter((s) => s.enabled !== false && s.loaded !== false).flatMap((s) => s.types || []));
  const missing = Object.keys(PKG['node-red'].nodes).filter((t) => !types.has(t));
  if (missing.length) {
    const errs = sets.filter((s) => s.err).map((s) => `${s.name}: ${s.err}`);
    throw new Error(`Node-RED did not load ${PKG.name} (${missing.join(', ')} missing)${errs.length ? `: ${errs.join('; ')}` : ''}`);
  }
}

/** --check: what a new user should see within a minute, read from the receivers. */
async function checkDemo(base, ms, gone) {
  const deadline = Date.now() + ms;
  let last = { chat: 0, tickets: 0, closed: 0 };
  for (;;) {
    if (gone()) return { ok: false, reason: 'Node-RED stopped' };
    try {
      const chat = (await call(base, 'GET', '/demo/chat')).json || [];
      const tickets = Object.values((await call(base, 'GET', '/demo/tickets')).json || {});
      const closed = tickets.filter((t) => t.status === 'closed').length;
      const remediation = chat.map((m) => m.text).find((t) => /after the CLI fix/.test(t || ''));
      last = { chat: chat.length, tickets: tickets.length, closed };
      if (chat.length > 0 && tickets.length > 0 && closed > 0 && remediation) return { ok: true, ...last, remediation };
    } catch {
      /* Node-RED busy: ask again */
    }
    if (Date.now() > deadline) {
      return { ok: false, reason: `after ${ms / 1000} s: ${last.chat} chat messages, ${last.tickets} tickets, ${last.closed} closed, no remediation report` };
    }
    await sleep(500);
  }
}

main().catch((e) => {
  process.stderr.write(`demo: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});

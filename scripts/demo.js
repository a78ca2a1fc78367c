#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the package at work with no device and no outside service.
 * Runs from a clone of the repository (scripts/ is not in the published package).
 *
 *  1. a device simulator in scenario mode on 127.0.0.1, playing firmware 7.4
 *     (alarms raised and cleared every few seconds, KPI values moving, SIP
 *     test calls), plain http: it is reached
 *     over loopback only, and https would need a tls-config node with the
 *     simulator's own CA in every example, which is beside the point here;
 *  2. a real Node-RED (the node-red 4 of our devDependencies, as a child
 *     process) on 127.0.0.1, whose user directory is kept across runs (.demo/
 *     in the repository, or --dir) and has this package linked into
 *     node_modules, so it loads as an installed module does (icons, message
 *     catalogs, Import > Examples);
 *  3. on the first run, every flow of examples/ deployed through the admin
 *     API, with the `sbc` device config node pointed at the simulator through
 *     ${MEDIANT_HOST}/${MEDIANT_PORT} (set at every start, so it follows the
 *     simulator's port) and the demo's credentials in the POST (Node-RED
 *     stores them encrypted, with a key kept in the folder), plus a "Demo
 *     receivers" tab that stands in for the chat webhook and the ticketing API.
 *     The PM watch example is for devices before 7.4 (it reads
 *     /performanceMonitoring, which 7.4 replaced with /kpi): its tab is
 *     deployed disabled, with a note, so that it does not fail every 10 s in
 *     the sidebar; the KPI watch example shows the same idea on 7.4.
 *
 * Ctrl-C stops Node-RED and the simulator and keeps the folder: the flows a
 * user built there are there at the next `npm start`. A persistent folder and
 * not a warning at exit: by the time a warning shows, the work is already in
 * a folder about to go, and a user expects what Node-RED does everywhere else
 * (flows survive a restart). Delete the folder to start again from the examples.
 *
 * The device user and password: --user/--password, MEDIANT_DEMO_USER/
 * MEDIANT_DEMO_PASSWORD, the ones of the previous run (simulator-login.txt in
 * the folder, readable by its owner only), or random on the first run. The
 * password is never printed: the banner names the file.
 *
 * The compiled package is built first when src/ is newer than it (or missing):
 * `npm install` no longer builds (no install script in the published package).
 *
 * The fleet example (three branch SBCs watched by one alarms node) gets three
 * more simulators, in scenario mode too, each with its own serial number;
 * FLEET_HOST_<n>/FLEET_PORT_<n> point its device nodes at them.
 * The fleet dashboard example (FlowFuse Dashboard 2.0, a devDependency that
 * Node-RED finds in the repository's node_modules) serves /dashboard beside the
 * editor; its nodes over "every device" show every device the examples deploy.
 *
 * --check: start everything in a temporary folder, wait until a chat message
 * arrived, a ticket was opened and closed and the remediation reported (with
 * its test call's result), then
 * stop, remove the folder and exit 0 (1 when that does not happen within
 * --timeout seconds). For CI.
 */
const { spawn, spawnSync } = require('node:child_process');
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
const DEFAULT_DIR = path.join(ROOT, '.demo');
const LOGIN_FILE = 'simulator-login.txt';

const USAGE = `Usage: npm start [-- options]   (or: node scripts/demo.js [options])

  --user NAME        device user name for the simulator and the flows
                     (default: the previous run's, or random on the first run)
  --password SECRET  its password (default: the previous run's, or random; never printed,
                     kept in DIR/${LOGIN_FILE}, readable by you only)
  --port N           Node-RED editor port on 127.0.0.1 (default 1880; 0 = any free port)
  --sim-port N       simulator port on 127.0.0.1 (default 0 = any free port)
  --dir DIR          Node-RED user directory, kept across runs: your flows stay there
                     (default: .demo in the repository; delete it to start afresh)
  --check            start in a temporary folder, wait for chat messages, a ticket
                     opened and closed, a remediation report and a fleet remediation
                     report, then stop and remove
                     the folder; exit 0 on success (for CI)
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
        dir: { type: 'string' },
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
  const check = Boolean(parsed.check);
  const user = parsed.user ?? (process.env.MEDIANT_DEMO_USER || undefined);
  const password = parsed.password ?? (process.env.MEDIANT_DEMO_PASSWORD || undefined);
  // Basic authentication: no ":" in the user name; the login file: one line each
  if (user !== undefined && !/^[^\r\n:]+$/.test(user)) fail('--user must be a non-empty single line without ":"');
  if (password !== undefined && !/^[^\r\n]+$/.test(password)) fail('--password must be a non-empty single line');
  return {
    user,
    password,
    port: port('port', parsed.port, 1880),
    simPort: port('sim-port', parsed['sim-port'], 0),
    // --check proves that a fresh demo works: never the user's kept folder unless named
    dir: parsed.dir !== undefined ? path.resolve(parsed.dir) : check ? undefined : DEFAULT_DIR,
    check,
    timeoutMs: timeout * 1000,
  };
}

/** Compiled files older than their source in src/ (or missing): the package needs a build. */
function staleBuild() {
  const src = path.join(ROOT, 'src');
  const stale = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = path.join(ROOT, path.relative(src, p).replace(/\.ts$/, '.js'));
        if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(p).mtimeMs) stale.push(path.relative(ROOT, out));
      }
    }
  };
  if (fs.existsSync(src)) walk(src);
  return stale;
}

/** The compiled package, built first when src/ changed since (npm install does not build). */
function loadBuilt(say) {
  const stale = staleBuild();
  if (stale.length) {
    let tsc;
    try {
      tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    } catch {
      fail('the package is not built and typescript is not installed: run "npm install" in the repository');
    }
    say(`demo: building the package from src/ (${stale.length} compiled file${stale.length === 1 ? '' : 's'} missing or older than the source)…`);
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) fail('the build failed (see above): fix it, or run "npm run build" to see it again');
  }
  const missing = ['simulator/index.js', ...Object.values(PKG['node-red'].nodes)].filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) fail(`the package is not built (${missing[0]} is missing): run "npm run build" in the repository`);
  return require(path.join(ROOT, 'simulator'));
}

const inUse = (flag, port) => `port ${port} on ${HOST} is in use: pass ${flag} N (or ${flag} 0 for any free port)`;

function freePort(wanted) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e) => reject(e.code === 'EADDRINUSE' ? new Error(inUse('--port', wanted)) : e));
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

/** A file only its owner can read or write (also when it was there before with wider rights). */
function writePrivate(file, text) {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** The device login a previous run left in the folder, or undefined. */
function readLogin(dir) {
  try {
    const text = fs.readFileSync(path.join(dir, LOGIN_FILE), 'utf8');
    const get = (k) => (new RegExp(`^${k}=(.*)$`, 'm').exec(text) || [])[1];
    const user = get('user');
    const password = get('password');
    return user && password ? { user, password } : undefined;
  } catch {
    return undefined;
  }
}

/** The login for this run: asked for, else the previous run's, else random. */
function chooseLogin(opts, saved) {
  const user = opts.user ?? saved?.user ?? `demo-${crypto.randomBytes(2).toString('hex')}`;
  const password = opts.password ?? (saved && saved.user === user ? saved.password : crypto.randomBytes(18).toString('base64url'));
  return { user, password };
}

/**
 * Refuse a second demo on the same folder (two Node-REDs writing one flows file);
 * a pid file left by a demo that was killed is taken over.
 */
function lockDir(dir) {
  const file = path.join(dir, 'demo.pid');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch (e) {
        alive = e.code === 'EPERM';
      }
      if (alive) fail(`another demo (pid ${pid}) is using ${dir}: stop it first, or pass --dir for a second one (if pid ${pid} is no demo, delete ${file})`);
    }
  } catch {
    /* no pid file */
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
    } catch {
      /* gone */
    }
  };
}

/**
 * The Node-RED user directory: this package linked in node_modules as Node-RED finds
 * installed modules, the settings written afresh at every run, the key of the
 * encrypted credentials kept (so a later run can read them), and the flows file left
 * alone when there is one.
 */
function prepareUserDir(dir, port) {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pkgFile = path.join(dir, 'package.json');
  let pkg = { name: 'node-red-project', version: '0.0.1', private: true };
  try {
    pkg = { ...pkg, ...JSON.parse(fs.readFileSync(pkgFile, 'utf8')) };
  } catch {
    /* first run */
  }
  pkg.dependencies = { ...pkg.dependencies, [PKG.name]: `file:${ROOT}` };
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  const link = path.join(dir, 'node_modules', PKG.name);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  let existing;
  try {
    existing = fs.lstatSync(link);
  } catch {
    /* not there */
  }
  if (existing && !existing.isSymbolicLink()) fail(`${link} is not the link the demo makes: remove it, or pass another --dir`);
  if (existing) fs.unlinkSync(link); // the repository may have moved since
  fs.symlinkSync(ROOT, link, process.platform === 'win32' ? 'junction' : 'dir');

  const secretFile = path.join(dir, '.credential-secret');
  let credentialSecret;
  try {
    credentialSecret = fs.readFileSync(secretFile, 'utf8').trim();
  } catch {
    /* first run */
  }
  if (!credentialSecret) {
    credentialSecret = crypto.randomBytes(24).toString('hex');
    writePrivate(secretFile, credentialSecret);
  }
  const settings = {
    uiHost: HOST,
    uiPort: port,
    flowFile: 'flows.json',
    flowFilePretty: true,
    // the credentials file is encrypted with this key, kept in the folder (readable by its owner only)
    credentialSecret,
    // no consent prompt, no update check, no tour: nothing leaves this machine or covers the editor
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    editorTheme: { tours: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false, allowUpload: false } },
    functionExternalModules: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  const settingsFile = path.join(dir, 'settings.js');
  writePrivate(settingsFile, `// written by scripts/demo.js at every start (edits here are overwritten)\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`);
  const backupDir = path.join(dir, 'backups');
  fs.mkdirSync(backupDir, { recursive: true });
  const restoreFile = path.join(dir, 'restore-example.ini');
  if (!fs.existsSync(restoreFile)) {
    fs.writeFileSync(restoreFile, '; an incremental INI for the backup example\'s restore branch (demo)\r\n[SYSTEM Params]\r\nSyslogServerIP = 10.4.2.24\r\n');
  }
  let flows = [];
  try {
    flows = JSON.parse(fs.readFileSync(path.join(dir, 'flows.json'), 'utf8'));
  } catch {
    /* first run */
  }
  return { dir, settingsFile, backupDir, restoreFile, kept: Array.isArray(flows) && flows.length > 0 };
}

function removeUserDir(dir) {
  try {
    fs.unlinkSync(path.join(dir, 'node_modules', PKG.name)); // the link first: never follow it into the repo
  } catch {
    /* already gone */
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The examples' device config nodes: `sbc`, shared by the single-device examples, and the fleet example's. */
function exampleDevices() {
  const devices = new Map();
  for (const file of fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'))) {
    for (const n of JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'))) if (n.type === 'mediant-device') devices.set(n.id, n);
  }
  if (devices.size === 0) throw new Error('no example has a mediant-device node');
  return [...devices.values()];
}

/** The fleet example's devices read their address from FLEET_HOST_<n> / FLEET_PORT_<n>: how many there are. */
function fleetSize() {
  return exampleDevices().filter((d) => /^\$\{FLEET_HOST_\d+\}$/.test(d.host)).length;
}

/**
 * Examples for devices before firmware 7.4, which the demo's simulator (7.4)
 * does not serve: deployed on a disabled tab, to read and to copy, rather than
 * failing every poll in the sidebar. The demo shows a device bought today; a
 * second, older simulator for one tab would make "which device is this?" the
 * first question of a new user.
 */
const OLDER_FIRMWARE_ONLY = new Set(['05 PM watch.json']);
const OLDER_FIRMWARE_NOTE =
  'This example reads /performanceMonitoring, which firmware 7.0 and 7.2 serve and 7.4 replaced with /kpi. ' +
  "The demo's simulator plays 7.4, so this tab is disabled: see the KPI watch tab for the same idea on 7.4. " +
  'To try it, run the simulator with --firmware 7.0 (npx mediant-sim --firmware 7.0) and enable the tab.';

/**
 * Every example as its own tab, the shared device config node pointed at the
 * simulator, with credentials, and the receivers tab.
 *
 * The debug sidebar gets one stream: what reaches the team chat (every raise,
 * clear, remediation report and KPI alert) from the receivers tab, and the examples'
 * "error" debug nodes. The examples' other debug nodes show their last value as
 * their status under the node instead: five tabs writing to the sidebar at once
 * bury a user's own debug output (and push it out of the sidebar's last 100).
 */
function demoFlows(sim, login, types) {
  const nodes = [];
  const seen = new Set();
  const skipped = [];
  const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
    const comment = flow.find((n) => n.type === 'comment');
    const label = comment ? comment.name.split(':')[0] : file.replace(/\.json$/, '');
    // a node type this Node-RED lacks (the dashboard's, in a clone installed before it was a
    // devDependency) would stop every flow: that example waits for npm install
    const unknown = [...new Set(flow.map((n) => n.type).filter((ty) => !types.has(ty)))];
    if (unknown.length) {
      skipped.push({ label, unknown });
      continue;
    }
    const forOlderFirmware = OLDER_FIRMWARE_ONLY.has(file);
    for (const z of new Set(flow.map((n) => n.z).filter(Boolean))) {
      nodes.push({
        id: z,
        type: 'tab',
        label: forOlderFirmware ? `${label} (7.0/7.2, off)` : label,
        disabled: forOlderFirmware,
        info: forOlderFirmware ? `examples/${file}\n\n${OLDER_FIRMWARE_NOTE}` : `examples/${file}`,
      });
    }
    for (const n of flow) {
      if (seen.has(n.id)) continue; // the device config node is shared by all examples
      seen.add(n.id);
      if (n.type === 'mediant-device') {
        // host and port stay ${MEDIANT_HOST}/${MEDIANT_PORT} (the fleet's ${FLEET_HOST_<n>}/${FLEET_PORT_<n>}): set at every start, they follow the simulators
        nodes.push({ ...n, protocol: sim.protocol, tls: '', credentials: { username: login.user, password: login.password } });
      } else if (n.type === 'debug' && n.complete !== 'error') {
        nodes.push({ ...n, tosidebar: false, tostatus: true, statusType: 'auto', statusVal: n.complete });
      } else {
        nodes.push(n);
      }
    }
  }
  return { nodes: [...nodes, ...receiverFlow()], skipped };
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

/**
 * The editor opens on the debug sidebar (the README and the banner say to watch it):
 * the first tab of the user's sidebar order, which Node-RED keeps in its user
 * settings. Set once; a user who reorders the tabs keeps their order.
 */
async function debugSidebarFirst(base) {
  const current = await call(base, 'GET', '/settings/user');
  if (current.status !== 200 || current.json?.editor?.sidebar?.order) return;
  await call(base, 'POST', '/settings/user', { editor: { sidebar: { order: ['debug', 'info', 'help', 'config', 'context'] } } });
}

/** A kept folder, the login changed: the examples' device nodes get the new one (those the user kept). */
async function updateDeviceLogin(base, login) {
  const ids = new Set(exampleDevices().map((d) => d.id));
  const flows = await call(base, 'GET', '/flows', undefined, { 'node-red-api-version': 'v1' });
  if (flows.status !== 200 || !Array.isArray(flows.json)) throw new Error(`reading the kept flows failed: ${flows.status}`);
  const kept = flows.json.filter((n) => ids.has(n.id) && n.type === 'mediant-device');
  if (kept.length === 0) return false;
  for (const d of kept) d.credentials = { username: login.user, password: login.password };
  const r = await call(base, 'POST', '/flows', flows.json, { 'node-red-deployment-type': 'nodes', 'node-red-api-version': 'v1' });
  if (r.status !== 200 && r.status !== 204) throw new Error(`giving the example device nodes the new login failed: ${r.status} ${r.text.slice(0, 300)}`);
  return true;
}

async function main() {
  const opts = options();
  const say = (s) => process.stdout.write(`${s}\n`);
  const { startSimulator } = loadBuilt(say);
  const port = await freePort(opts.port).catch((e) => fail(e.message));
  const editor = `http://${HOST}:${port}`;

  const temporary = opts.dir === undefined;
  const dir = temporary ? fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-mediant-demo-')) : opts.dir;
  if (!temporary) {
    // never write settings.js over a Node-RED user directory that is not the demo's (~/.node-red)
    const entries = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    if (entries.length > 0 && !entries.includes(LOGIN_FILE) && !entries.includes('.credential-secret')) {
      fail(`${dir} is not empty and is not a demo folder (no ${LOGIN_FILE}): pass --dir with a new or empty folder`);
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const unlock = lockDir(dir);
  const saved = temporary ? undefined : readLogin(dir);
  const login = chooseLogin(opts, saved);
  const loginChanged = !saved || saved.user !== login.user || saved.password !== login.password;
  const loginFile = path.join(dir, LOGIN_FILE);
  writePrivate(loginFile, [
    '# The demo simulator\'s device user (written by npm start; readable by you only).',
    '# In your own flows, pick the device "sbc" (already set up with it), or give these',
    '# in a mediant-device node: host ${MEDIANT_HOST}, port ${MEDIANT_PORT}, protocol HTTP.',
    `user=${login.user}`,
    `password=${login.password}`,
    '',
  ].join('\n'));

  const log = [];
  // --check keeps Node-RED's log for when something goes wrong; the demo shows it
  const out = opts.check ? (s) => log.push(s) : (s) => process.stdout.write(s);
  const abandon = (message) => {
    unlock();
    if (temporary) removeUserDir(dir);
    fail(message);
  };

  const sim = await startSimulator({
    // firmware 7.4, what a device bought today runs: KPIs and SIP test calls (the PM watch
    // example, for older devices, is deployed disabled)
    firmware: '7.4',
    host: HOST,
    port: opts.simPort,
    users: [{ username: login.user, password: login.password, privilege: 'securityAdmin' }],
    scenario: { periodMs: 5000 },
    // long enough to watch the remediation's reset in the editor (status "restarting…")
    bootTimeMs: 5000,
  }).catch((e) => abandon(e.code === 'EADDRINUSE' ? inUse('--sim-port', opts.simPort) : `the simulator did not start: ${e.message}`));
  // the fleet example's branch SBCs: their own simulators, each its own serial number (as real devices)
  const fleet = [];
  for (let i = 1; i <= fleetSize(); i++) {
    const branch = await startSimulator({
      firmware: '7.4',
      host: HOST,
      port: 0,
      users: [{ username: login.user, password: login.password, privilege: 'securityAdmin' }],
      scenario: { periodMs: 5000 },
      bootTimeMs: 5000,
      serialNumber: `27752226368${7200 + i}`,
    }).catch(async (e) => {
      for (const f of [sim, ...fleet]) await f.close();
      abandon(`a fleet simulator did not start: ${e.message}`);
    });
    fleet.push(branch);
  }
  const fleetEnv = {};
  fleet.forEach((f, i) => {
    fleetEnv[`FLEET_HOST_${i + 1}`] = f.host;
    fleetEnv[`FLEET_PORT_${i + 1}`] = String(f.port);
  });
  const user = prepareUserDir(dir, port);
  const env = {
    ...process.env,
    CHAT_WEBHOOK_URL: `${editor}/demo/chat`,
    TICKET_API_URL: `${editor}/demo/tickets`,
    BACKUP_DIR: user.backupDir,
    RESTORE_FILE: user.restoreFile,
    MEDIANT_HOST: sim.host,
    MEDIANT_PORT: String(sim.port),
    ...fleetEnv,
    // Example 6 (alarms on replicas) names a Redis: the usual local one unless
    // given; without one its alarms node says "Redis ... not connected".
    REDIS_HOST: process.env.REDIS_HOST || '127.0.0.1',
    REDIS_PORT: process.env.REDIS_PORT || '6379',
    NODE_OPTIONS: '',
  };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];

  let redJs;
  try {
    redJs = require.resolve('node-red/red.js', { paths: [ROOT] });
  } catch {
    for (const f of [sim, ...fleet]) await f.close();
    abandon('node-red is not installed: it is a devDependency, run "npm install" in the repository');
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
      for (const f of [sim, ...fleet]) await f.close();
      unlock();
      if (temporary) removeUserDir(user.dir);
      else if (!opts.check && code === 0) say(`your flows are kept in ${user.dir} (npm start opens them again)`);
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

  let loginUpdated = false;
  let skipped = [];
  try {
    await waitForEditor(editor, () => redGone, 90000);
    const types = await checkModuleLoaded(editor);
    if (!user.kept) {
      const flows = demoFlows(sim, login, types);
      skipped = flows.skipped;
      const deployed = await call(editor, 'POST', '/flows', flows.nodes, { 'node-red-deployment-type': 'full', 'node-red-api-version': 'v1' });
      if (deployed.status !== 200 && deployed.status !== 204) throw new Error(`deploying the examples failed: ${deployed.status} ${deployed.text.slice(0, 300)}`);
    } else if (loginChanged) {
      loginUpdated = await updateDeviceLogin(editor, login);
    }
    await debugSidebarFirst(editor);
  } catch (e) {
    if (opts.check) process.stdout.write(log.join(''));
    say(`demo: ${e.message}`);
    return stop(1);
  }

  say('');
  say('────────────────────────────────────────────────────────────────────────');
  say(` Node-RED editor:   ${editor}/`);
  say(` device simulator:  ${sim.url}  user "${login.user}", password in`);
  say(`                    ${loginFile} (readable by you only)`);
  if (fleet.length) say(`   and ${fleet.length} branch SBCs for the fleet example: ${fleet.map((f) => f.url).join(', ')}`);
  say('   Your own nodes: pick the device "sbc" (already set up), or a new mediant-device');
  say('   with host ${MEDIANT_HOST}, port ${MEDIANT_PORT}, protocol HTTP and that user.');
  say(user.kept ? ` Your flows, as you left them: ${user.dir}` : ` The examples are deployed; your flows are kept in ${user.dir}`);
  if (loginUpdated) say(' The device "sbc" now has the new login (a poll with the old one may have been refused at start).');
  for (const s of skipped) {
    say(` "${s.label}" is not deployed: this Node-RED lacks its node types (${s.unknown.join(', ')}).`);
    say('   Run "npm install" in the repository (it brings them), then Menu > Import > Examples.');
  }
  say('');
  say(' What to look at (the debug sidebar, on the right of the editor, shows what');
  say(' reaches the team chat; each example node shows its latest result under it):');
  say('  • "Alarm to chat": alarms raised and cleared every few seconds → 💬 chat');
  say('  • "Alarm to ticket": 🎫 ticket opened on raised, "closed" on cleared: the');
  say('    ticket nodes\' status on the "Demo receivers" tab');
  say('  • "Remediation": when "Trunk is down" comes up (about 20 s in), the CLI fix runs,');
  say('    a SIP test call checks that calls go through, and the chat reports both (while');
  say('    "Proxy set is unreachable" is active too, the call fails, and the report says so)');
  say('  • "Fleet remediation": one alarms node watches the three branch SBCs; its fix');
  say('    (and, if need be, the reset) goes to whichever branch raised "Trunk is down"');
  say('  • "KPI watch" and "Configuration backup": alerts and files, see each tab\'s comment');
  say('    ("PM watch" is for devices before 7.4: its tab is there, switched off)');
  if (!skipped.some((s) => s.label === 'Fleet dashboard')) {
    say(`  • "Fleet dashboard": the operator's page at ${editor}/dashboard, every device with its`);
    say('    state and alarms, the fleet\'s active alarms, the calls per device (FlowFuse Dashboard 2.0)');
  }
  say(`  • received so far: ${editor}/demo/chat and ${editor}/demo/tickets`);
  say(`  • backups are written to ${user.backupDir}`);
  say('  • your own debug nodes: the sidebar\'s filter "current flow" shows only your tab');
  if (!opts.check) {
    say('');
    say(' The demo also nudges the simulator so every path shows: the answer seizure');
    say(' ratio drops below 70 % for 20 s every 2 minutes, and after 90 s a "Trunk is');
    say(' down" arrives that the CLI fix cannot clear, so the remediation resets the device;');
    say(' after 60 s the same happens on branch-2 alone, and the fleet chain resets only it.');
  }
  say('');
  say(temporary ? ' Ctrl-C stops everything and removes the temporary folder.' : ' Ctrl-C stops everything; your flows stay (delete the folder to start afresh).');
  say('────────────────────────────────────────────────────────────────────────');
  say('');

  if (opts.check) {
    const result = await checkDemo(editor, opts.timeoutMs, () => redGone);
    if (!result.ok) {
      process.stdout.write(log.join(''));
      say(`demo check FAILED: ${result.reason}`);
      return stop(1);
    }
    say(`demo check passed: ${result.chat} chat messages, ${result.tickets} tickets (${result.closed} closed), remediation reported: "${result.remediation}", fleet remediation reported: "${result.fleet}"`);
    return stop(0);
  }

  // Nudges, announced above: a KPI dip every 2 minutes, one alarm the CLI fix cannot clear.
  const ASR = 'sbc/callStats/global/answerSeizureRatio';
  const dip = () => {
    sim.control.setKpiValue(ASR, 48);
    // unpinned again (the demo pins nothing else): the value moves with the scenario
    timers.push(setTimeout(() => sim.control.clearKpiValues(), 20000));
    timers.push(setTimeout(dip, 120000));
  };
  timers.push(setTimeout(dip, 45000));
  timers.push(
    setTimeout(() => {
      if (sim.control.state().up) sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#2' });
    }, 90000),
  );
  // the fleet: a trunk on branch-2 that the fix cannot clear; only branch-2 is reset
  if (fleet[1]) {
    timers.push(
      setTimeout(() => {
        if (fleet[1].control.state().up) fleet[1].control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#2' });
      }, 60000),
    );
  }
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
  const all = Array.isArray(r.json) ? r.json : [];
  const sets = all.filter((s) => s.module === PKG.name);
  const types = new Set(sets.filter((s) => s.enabled !== false && s.loaded !== false).flatMap((s) => s.types || []));
  const missing = Object.keys(PKG['node-red'].nodes).filter((t) => !types.has(t));
  if (missing.length) {
    const errs = sets.filter((s) => s.err).map((s) => `${s.name}: ${s.err}`);
    throw new Error(`Node-RED did not load ${PKG.name} (${missing.join(', ')} missing)${errs.length ? `: ${errs.join('; ')}` : ''}`);
  }
  // every node type this Node-RED can run (ours, the core's, the dashboard's when installed)
  return new Set(all.filter((s) => s.enabled !== false && s.loaded !== false).flatMap((s) => s.types || []));
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
      // the remediation's report, once its test call has ended (connected or not, the report says which)
      const remediation = chat.map((m) => m.text).find((t) => /after the CLI fix.*test call/.test(t || ''));
      // the fleet chain's report: a branch SBC's trunk fixed on that branch
      const fleet = chat.map((m) => m.text).find((t) => /^✅ Trunk is down on branch-\d+ cleared after the CLI fix$/.test(t || ''));
      last = { chat: chat.length, tickets: tickets.length, closed, fleet: Boolean(fleet) };
      if (chat.length > 0 && tickets.length > 0 && closed > 0 && remediation && fleet) return { ok: true, ...last, remediation, fleet };
    } catch {
      /* Node-RED busy: ask again */
    }
    if (Date.now() > deadline) {
      return { ok: false, reason: `after ${ms / 1000} s: ${last.chat} chat messages, ${last.tickets} tickets, ${last.closed} closed, ${last.fleet ? 'a' : 'no'} fleet remediation report, and no remediation report with its test call` };
    }
    await sleep(500);
  }
}

main().catch((e) => {
  process.stderr.write(`demo: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});

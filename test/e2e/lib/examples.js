'use strict';
// How each example flow is deployed in the e2e run, and what it must do then, checked
// from outside Node-RED: the simulator's state and request log, what the chat and
// ticket receivers got, the files written. Each check follows the promise made in the
// example's comment node.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { waitFor } = require('./runtime');

/** `${NAME}` references, env-typed properties and env.get / $env calls in the example files. */
function envNames(exampleDir) {
  const names = new Set();
  if (!fs.existsSync(exampleDir)) return names;
  for (const f of fs.readdirSync(exampleDir).filter((x) => x.endsWith('.json'))) {
    const text = fs.readFileSync(path.join(exampleDir, f), 'utf8');
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1]);
    for (const m of text.matchAll(/(?:env\.get|\$env)\(\s*\\?["']([A-Za-z_][A-Za-z0-9_]*)\\?["']/g)) names.add(m[1]);
    for (const n of JSON.parse(text)) {
      if (n.filenameType === 'env' && n.filename) names.add(n.filename);
      for (const r of n.rules || []) if (r.tot === 'env' && r.to) names.add(r.to);
    }
  }
  return names;
}

/**
 * The runtime's environment for the examples: each outside URL they read points at a
 * receiver in the test process, BACKUP_DIR and RESTORE_FILE at temp paths, REDIS_HOST and
 * REDIS_PORT at the run's redis-server (paths.redis). The device
 * address is written into the config nodes instead (a simulator per example).
 */
function envFor(moduleDir, receivers, paths) {
  const env = {};
  const unknown = [];
  for (const name of envNames(path.join(moduleDir, 'examples'))) {
    if (name === 'CHAT_WEBHOOK_URL') env[name] = `${receivers.chat.url}/hook`;
    else if (name === 'TICKET_API_URL') env[name] = `${receivers.ticket.url}/tickets`;
    else if (name === 'BACKUP_DIR') env[name] = paths.backupDir;
    else if (name === 'RESTORE_FILE') env[name] = paths.restoreFile;
    else if (name === 'REDIS_HOST') env[name] = paths.redis ? paths.redis.host : '127.0.0.1';
    // Without a Redis for this run, a port nothing listens on: the cluster example then shows its error.
    else if (name === 'REDIS_PORT') env[name] = paths.redis ? String(paths.redis.port) : '1';
    // the device addresses (one, or a fleet's) are written into the config nodes instead
    else if (name === 'MEDIANT_HOST' || name === 'MEDIANT_PORT' || /^FLEET_(HOST|PORT)_\d+$/.test(name)) continue;
    else unknown.push(name);
  }
  if (unknown.length) throw new Error(`examples read environment variables the e2e run does not know: ${unknown.join(', ')} (teach test/e2e/lib/examples.js)`);
  return env;
}

/**
 * The example as a user deploys it after Import: on its own tab, every
 * `mediant-device` pointed at the simulator with credentials (they travel in the
 * POST, as the editor sends them). A fleet example's devices each get their own
 * simulator of `sims` (in the order of the file), when given.
 */
function prepareFlow(flow, { sim, sims, username, password }) {
  const nodes = JSON.parse(JSON.stringify(flow));
  const tabs = new Set(nodes.filter((n) => n.type === 'tab').map((n) => n.id));
  const comment = nodes.find((n) => n.type === 'comment');
  for (const z of new Set(nodes.map((n) => n.z).filter(Boolean))) {
    if (!tabs.has(z)) nodes.unshift({ id: z, type: 'tab', label: comment ? comment.name.split(':')[0] : 'example', disabled: false, info: '' });
  }
  let d = 0;
  for (const n of nodes) {
    if (n.type !== 'mediant-device') continue;
    const to = sims && sims.length ? sims[d++ % sims.length] : sim;
    n.host = to.host;
    n.port = String(to.port);
    n.protocol = to.protocol;
    n.tls = '';
    n.credentials = { username, password };
  }
  return nodes;
}

const posts = (receiver, p) => receiver.requests.filter((r) => r.method === 'POST' && r.path === p);
const chatTexts = (receivers) => posts(receivers.chat, '/hook').map((r) => (r.json && r.json.text) || `<not JSON {text}: ${r.text}>`);
const simRequests = (sim, method, re) => sim.control.log().filter((e) => e.method === method && re.test(e.path));

async function injectNode(red, flow, name) {
  const n = flow.find((x) => x.type === 'inject' && x.name === name);
  assert.ok(n, `the example has no inject node named "${name}"`);
  const r = await red.api('POST', `/inject/${n.id}`);
  assert.strictEqual(r.status, 200, `POST /inject/${n.id} answered ${r.status} ${r.text}`);
}

/**
 * Backup file names carry a UTC stamp to the second: start each run in a new second
 * so that a second write shows as a new file, not as the same name overwritten.
 */
async function nextSecond() {
  const now = Math.floor(Date.now() / 1000);
  await waitFor('the next second', () => Math.floor(Date.now() / 1000) > now, { everyMs: 50 });
}

const listDir = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

const EXAMPLE_CHECKS = {
  // One alarms node over the three devices of group "branches"; the remediation chain acts on the device that raised the alarm.
  '08 fleet remediation.json': {
    devices: 3,
    async run({ sims, receivers }) {
      const texts = () => chatTexts(receivers);
      const cli = (sim) => simRequests(sim, 'PUT', /^\/api\/v1\/files\/cliScript\/incremental$/).length;
      const resets = (sim) => simRequests(sim, 'POST', /^\/api\/v1\/actions\/reset$/).length;
      const boots = sims.map((s) => s.control.state().bootCount);
      // 1. branch-2: a trunk the CLI fix brings back
      sims[1].control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
      await waitFor('the fix reported for branch-2', () => texts().find((x) => x === '✅ Trunk is down on branch-2 cleared after the CLI fix'));
      assert.deepStrictEqual(sims.map(cli), [0, 1, 0], 'the CLI fix ran on branch-2 only');
      // 2. branch-3: a trunk the fix does not help: branch-3, and only it, is reset
      sims[2].control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#2' });
      await waitFor('the reset reported for branch-3', () => texts().find((x) => /^🔁 Trunk is down did not clear after the CLI fix: branch-3 was reset and is back/.test(x)));
      assert.deepStrictEqual(sims.map(cli), [0, 1, 1]);
      assert.deepStrictEqual(sims.map(resets), [0, 0, 1], 'only branch-3 was reset');
      assert.deepStrictEqual(sims.map((s) => s.control.state().bootCount), [boots[0], boots[1], boots[2] + 1]);
      assert.strictEqual(texts().length, 2, `chat got:\n${texts().join('\n')}`);
    },
  },

  // One replica polls (here the only one); each event posted once with its eventId as Idempotency-Key.
  '06 alarms on replicas.json': {
    simulator: { initialAlarms: [{ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' }] },
    async run({ sim, receivers }) {
      const t = receivers.ticket;
      const events = () => posts(t, '/tickets').map((r) => ({ ...r.json, key: r.headers['idempotency-key'] }));
      await waitFor('the alarm active at deploy posted', () => events().length >= 1);
      const first = sim.control.state().activeAlarms[0];
      sim.control.clearAlarm(first.id);
      await waitFor('its clearing posted', () => events().length >= 2);
      const got = events();
      assert.deepStrictEqual(got.map((e) => e.event), ['raised', 'cleared']);
      for (const e of got) assert.match(String(e.key), /^[0-9a-f]{32}$/, `Idempotency-Key: ${e.key}`);
      assert.notStrictEqual(got[0].key, got[1].key);
      assert.strictEqual(got[0].key, got[0].eventId);
    },
  },

  // Every raised and cleared alarm posted once to the chat webhook as {text}.
  '01 alarm to chat.json': {
    simulator: { initialAlarms: [{ description: 'Proxy set is unreachable', severity: 'Major', source: 'ProxySet#1' }] },
    async run({ sim, receivers }) {
      const texts = () => chatTexts(receivers);
      // The example's wording may change; msg.text says "raised ..." or "cleared (gone at ...)".
      const one = (re) => texts().filter((t) => re.test(t));
      const raisedRe = (d) => new RegExp(`^(?!.*cleared).*${d}.*raised`);
      const clearedRe = (d) => new RegExp(`${d}.*cleared`);
      await waitFor('the alarm already active at deploy posted as raised', () => one(raisedRe('Proxy set is unreachable')).length);
      const raised = sim.control.raiseAlarm({ description: 'IP Group is blocked', severity: 'Minor', source: 'IPGroup#2' });
      await waitFor('a new alarm posted as raised', () => one(raisedRe('IP Group is blocked')).length);
      const existing = sim.control.state().activeAlarms.find((a) => a.description === 'Proxy set is unreachable');
      sim.control.clearAlarm(existing.id);
      sim.control.clearAlarm(raised.id);
      await waitFor('both clears posted', () => one(clearedRe('Proxy set is unreachable')).length && one(clearedRe('IP Group is blocked')).length);
      // Each event once, though the node polled many times meanwhile.
      assert.deepStrictEqual([
        one(raisedRe('Proxy set is unreachable')).length, one(raisedRe('IP Group is blocked')).length,
        one(clearedRe('Proxy set is unreachable')).length, one(clearedRe('IP Group is blocked')).length,
      ], [1, 1, 1, 1], `chat got:\n${texts().join('\n')}`);
      assert.strictEqual(texts().length, 4, `chat got:\n${texts().join('\n')}`);
      for (const r of posts(receivers.chat, '/hook')) assert.match(r.headers['content-type'], /application\/json/);
      assert.match(one(raisedRe('IP Group is blocked'))[0], /Minor/, 'the chat line names the severity');
      assert.match(one(raisedRe('IP Group is blocked'))[0], /sbc/, 'the chat line names the device');
    },
  },

  // A ticket opened on raised (POST), closed on cleared (PATCH <url>/<its id>), each alarm its own ticket.
  '02 alarm to ticket.json': {
    simulator: { initialAlarms: [{ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' }] },
    async run({ sim, receivers }) {
      const t = receivers.ticket;
      const opened = () => posts(t, '/tickets');
      const closes = () => t.requests.filter((r) => r.method === 'PATCH');
      const ticketOf = (desc) => {
        const r = opened().find((x) => x.json && JSON.stringify(x.json.title || '').includes(desc));
        return r && r.answer.body.id;
      };
      await waitFor('a ticket for the alarm active at deploy', () => ticketOf('Trunk is down'));
      const second = sim.control.raiseAlarm({ description: 'Network interface is down', severity: 'Critical', source: 'Board#1/EthernetPort#2' });
      await waitFor('a ticket for a new alarm', () => ticketOf('Network interface is down'));
      const first = sim.control.state().activeAlarms.find((a) => a.description === 'Trunk is down');
      // Clear the second one first: the close must still go to its own ticket.
      sim.control.clearAlarm(second.id);
      const secondTicket = ticketOf('Network interface is down');
      await waitFor('the second ticket closed', () => closes().some((r) => r.path === `/tickets/${secondTicket}`));
      sim.control.clearAlarm(first.id);
      const firstTicket = ticketOf('Trunk is down');
      await waitFor('the first ticket closed', () => closes().some((r) => r.path === `/tickets/${firstTicket}`));
      assert.notStrictEqual(firstTicket, secondTicket);
      assert.strictEqual(opened().length, 2, `tickets opened: ${opened().map((r) => r.text).join('\n')}`);
      assert.deepStrictEqual(closes().map((r) => r.path), [`/tickets/${secondTicket}`, `/tickets/${firstTicket}`]);
      for (const r of closes()) assert.strictEqual(r.json && r.json.status, 'closed', `close body: ${r.text}`);
      const body = opened()[1].json;
      assert.strictEqual(body.severity, 'Critical');
      assert.ok(body.externalKey && body.description, `ticket body: ${JSON.stringify(body)}`);
    },
  },

  // The chosen alarm: CLI fix; cleared -> confirmed by a test call, report; still there -> reset with wait, test call, report.
  '03 remediation.json': {
    async run({ sim, receivers }) {
      const texts = () => chatTexts(receivers);
      const cliRuns = () => simRequests(sim, 'PUT', /^\/api\/v1\/files\/cliScript\/incremental$/);
      const resets = () => simRequests(sim, 'POST', /^\/api\/v1\/actions\/reset$/);
      const boots = sim.control.state().bootCount;
      // 1. A fix that works: the simulator clears this alarm when the script has "no shutdown".
      sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
      const dials = () => simRequests(sim, 'POST', /^\/api\/v1\/sipTestCall\/dial$/);
      await waitFor('the report that the CLI fix cleared the alarm, confirmed by a test call', () => texts().find((x) => /^✅ Trunk is down on sbc cleared after the CLI fix; a test call went through$/.test(x)));
      assert.strictEqual(cliRuns().length, 1);
      assert.strictEqual(dials().length, 1, 'one test call confirms the fix');
      assert.ok(sim.control.testCalls().some((c) => c.destination === 'IP Group 1 (PSTN Trunk)' && c.connected), JSON.stringify(sim.control.testCalls()));
      assert.strictEqual(resets().length, 0, 'no reset when the fix worked');
      assert.strictEqual(sim.control.state().bootCount, boots);
      // 2. A fix that does not help: the alarm stays, so the device is reset and the flow waits for it.
      sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#2' });
      const report = await waitFor('the report that the device was reset and is back', () => texts().find((x) => /Trunk is down did not clear after the CLI fix: sbc was reset and is back.*; a test call went through$/.test(x)));
      assert.strictEqual(dials().length, 2, 'a test call after the reset too');
      assert.strictEqual(cliRuns().length, 2);
      assert.strictEqual(resets().length, 1, 'exactly one reset');
      assert.strictEqual(sim.control.state().bootCount, boots + 1);
      assert.ok(sim.control.state().up, 'the device is back when the report is sent');
      assert.match(report, /version /);
      assert.strictEqual(texts().length, 2, `chat got:\n${texts().join('\n')}`);
    },
  },

  // INI and CLI backups written when they changed (not per run); restore applies an
  // incremental INI and saves it.
  '04 configuration backup.json': {
    async run({ sim, red, flow, paths }) {
      const dir = paths.backupDir;
      const files = (re) => listDir(dir).filter((f) => re.test(f));
      const boots = sim.control.state().bootCount;
      await waitFor('the first INI, CLI and inventory backups', () => files(/\.ini$/).length && files(/\.txt$/).length && files(/inventory.*\.json$/).length);
      const state = sim.control.state();
      assert.strictEqual(fs.readFileSync(path.join(dir, files(/\.ini$/)[0]), 'utf8'), state.ini);
      assert.strictEqual(fs.readFileSync(path.join(dir, files(/\.txt$/)[0]), 'utf8'), state.cliScript);
      const inventory = JSON.parse(fs.readFileSync(path.join(dir, files(/inventory.*\.json$/)[0]), 'utf8'));
      assert.strictEqual(inventory.license.serialNumber, state.license.serialNumber);
      assert.ok(inventory.productType, `inventory: ${JSON.stringify(inventory)}`);
      // A second run with nothing changed on the device.
      const iniGets = () => simRequests(sim, 'GET', /^\/api\/v1\/files\/ini$/).length;
      await nextSecond();
      await injectNode(red, flow, 'every hour');
      await waitFor('the second download', () => iniGets() >= 2);
      // Restore: RESTORE_FILE applied as incremental INI, then saved.
      await injectNode(red, flow, 'restore RESTORE_FILE (click)');
      await waitFor('the restored parameter saved on the device', () => {
        const s = sim.control.state();
        return /SyslogServerIP\s*=\s*10\.9\.9\.9/.test(s.ini) && !s.unsaved && simRequests(sim, 'POST', /^\/api\/v1\/actions\/saveConfiguration$/).length;
      });
      assert.strictEqual(simRequests(sim, 'PUT', /^\/api\/v1\/files\/ini\/incremental$/).length, 1);
      assert.strictEqual(sim.control.state().bootCount, boots, 'an incremental INI does not reset the device');
      // A third run after the change: one new INI backup, nothing else new.
      await nextSecond();
      await injectNode(red, flow, 'every hour');
      const explain = () => `backups: ${listDir(dir).join(', ')}\nsim log: ${sim.control.log().map((e) => `${e.method} ${e.path} ${e.status}`).join('; ')}`;
      await waitFor('a backup of the changed INI', () => files(/\.ini$/).length >= 2, { explain });
      await waitFor('the third CLI download answered', () => simRequests(sim, 'GET', /^\/api\/v1\/files\/cliScript$/).length >= 3);
      assert.strictEqual(files(/\.ini$/).length, 2, `backups: ${listDir(dir).join(', ')}`);
      assert.strictEqual(files(/\.txt$/).length, 1, `the unchanged CLI script is not written again: ${listDir(dir).join(', ')}`);
      const newest = files(/\.ini$/).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).find((x) => x.includes('10.9.9.9'));
      assert.strictEqual(newest, sim.control.state().ini);
    },
  },

  // A PM crossing the device's thresholds: one alert when it crosses, one when it is back.
  // For devices before 7.4 (which serves /kpi instead), so against the 7.0 profile.
  '05 PM watch.json': {
    simulator: { firmware: '7.0' },
    async run({ sim, receivers }) {
      const texts = () => chatTexts(receivers);
      const valueReads = () => simRequests(sim, 'GET', /^\/api\/v1\/performanceMonitoring\/NetUtilPackets\?.*index=0/).length;
      await waitFor('the discovery read and a first value read', () => simRequests(sim, 'GET', /^\/api\/v1\/performanceMonitoring\/NetUtilPackets$/).length && valueReads());
      sim.control.setPmValue('NetUtilPackets', 0, 40000);
      const high = await waitFor('the alert for a value above the high threshold', () => texts().find((x) => /NetUtilPackets\[0\] on sbc is 40000, above the high threshold 30000/.test(x)));
      // Another read while still high must not post again.
      const reads = valueReads();
      await waitFor('one more read while the value is high', () => valueReads() > reads);
      sim.control.setPmValue('NetUtilPackets', 0, 5000);
      await waitFor('the message that the value is back', () => texts().find((x) => /NetUtilPackets\[0\] on sbc is 5000, back within 100 to 30000/.test(x)));
      assert.ok(high);
      assert.strictEqual(texts().length, 2, `chat got:\n${texts().join('\n')}`);
    },
  },

  // A KPI read every 10 s: one alert when the answer seizure ratio drops below 70 %, one when it is
  // back; the chart and InfluxDB feeds fed at every read.
  '07 KPI watch.json': {
    async run({ sim, receivers }) {
      const texts = () => chatTexts(receivers);
      const ASR = 'sbc/callStats/global/answerSeizureRatio';
      const reads = () => simRequests(sim, 'GET', /^\/api\/v1\/kpi\/current\/sbc\/callStats\/global(\?|$)/).filter((e) => e.status === 200).length;
      await waitFor('the read at deploy', () => reads() >= 1);
      sim.control.setKpiValue(ASR, 42);
      await waitFor('the alert for a ratio below the threshold', () => texts().find((x) => x === '⚠️ Answer seizure ratio on sbc is 42 %, below 70 %'));
      const now = reads();
      await waitFor('one more read while the ratio is low', () => reads() > now);
      sim.control.setKpiValue(ASR, 93);
      await waitFor('the message that the ratio is back', () => texts().find((x) => x === '✅ Answer seizure ratio on sbc is back at 93 % (threshold 70 %)'));
      assert.strictEqual(texts().length, 2, `chat got:\n${texts().join('\n')}`);
    },
  },

  // FlowFuse Dashboard 2.0 (the devDependency, which this runtime finds beside its node-red, as
  // a user's palette install): the page served at /dashboard, and the fleet's state the flow
  // keeps for it. The page itself, in chromium, is test/e2e/demo.test.js.
  '09 fleet dashboard.json': {
    simulator: { initialAlarms: [{ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' }] },
    async run({ red, flow }) {
      const tab = flow.find((n) => n.name === 'fleet table').z;
      const context = async (key) => {
        const r = await red.api('GET', `/context/flow/${tab}/${key}`);
        if (r.status !== 200 || !r.json || r.json.format === 'undefined' || r.json.msg === undefined) return undefined;
        return JSON.parse(r.json.msg);
      };
      const status = await waitFor('the status of sbc kept for the table', async () => (await context('fleetStatus'))?.sbc);
      assert.match(status.product, /Mediant/);
      assert.match(status.version, /^7\.40A\./);
      const alarms = await waitFor('the alarms of sbc kept for the table', async () => (await context('fleetAlarms'))?.sbc);
      assert.deepStrictEqual(alarms.map((a) => a.description), ['Trunk is down']);
      assert.strictEqual(await context('fleetDown'), undefined, 'sbc answers: no error kept');
      const page = await waitFor('the dashboard page', async () => {
        const res = await fetch(`${red.url}/dashboard/fleet`, { signal: AbortSignal.timeout(15000) });
        return res.status === 200 && /text\/html/.test(res.headers.get('content-type') || '') && res;
      });
      assert.ok(page);
    },
  },
};

module.exports = { EXAMPLE_CHECKS, envFor, envNames, prepareFlow };

'use strict';
/**
 * Crash and replica campaigns for the alarms node (issue 13), in a real
 * Node-RED: the package packed and installed from its tarball into a user
 * directory and the `node-red` runtime started (test/e2e/lib/runtime.js), the
 * simulator and redis-server (Debian's, on a free loopback port) in this
 * process, and a sink node (test/campaign/nodes) that appends every message it
 * receives to a file at once: a message counts as delivered when the node
 * after the alarms node has it, which is the node's promise.
 *
 * crash:    one Node-RED polling every second; each round raises a batch of
 *           alarms (up to 200) and clears some delivered ones, then kills
 *           Node-RED with SIGKILL at a random moment (a random delay, or when
 *           a random number of the round's events has reached the sink) and
 *           starts it again. Context store: localfilesystem (as settings.js
 *           sets it by default: cached, flushed every 30 s), localfilesystem
 *           with cache off, or a Redis context store that writes at once.
 * replicas: 2 or 3 Node-RED processes running the same flow with a
 *           mediant-cluster node; random raise / clear / device-reboot steps,
 *           each waited for until its events arrive; from time to time the
 *           instance that delivers (the lease holder) is killed and started
 *           again as a standby.
 *
 * Every run checks, from the sink: no expected event missing (lost), no event
 * the device never had, and every repeat carrying an eventId already
 * delivered for that event (one id per event). It returns its figures.
 *
 * The cached localfilesystem (crash-fs) is the known-unsafe configuration:
 * its state on disk is up to 30 s old after a kill, so it loses clears by
 * design (the node warns at start, the README recommends cache: false). It
 * runs as a comparison: its figures are printed, labelled so, and do not
 * decide the exit code. The script exits 0 when every other run held, 1 when
 * one did not, 2 when it could not run.
 *
 *   node test/campaign/campaign.js [--quick] [--only=crash-fs,crash-fs-nocache,crash-redis,replicas-2,replicas-3] [--json=FILE]
 *
 * (npm run campaign). Every loop is bounded in count and time; every process
 * it starts is stopped when it ends or fails.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { installPackage, startNodeRed, sleep, ROOT } = require('../e2e/lib/runtime');
const { cleanupAll, removeDirLater } = require('../e2e/lib/procs');
const { startRedis } = require('../helpers/redis');

const NODES_DIR = path.join(__dirname, 'nodes');
const REDIS_CONTEXT = path.join(__dirname, 'redis-context.js');
const USER = 'campaign';
const PASSWORD = `Pw-${Math.random().toString(36).slice(2, 12)}`;
const DELIVERY_DEADLINE_MS = Number(process.env.CAMPAIGN_DEADLINE_MS) || 60000;

/** A small seeded PRNG (mulberry32), so that a run can be repeated. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sink file: every line a delivered message. */
function sinkOf(file) {
  fs.writeFileSync(file, '');
  let offset = 0;
  let rest = '';
  const lines = [];
  const torn = { count: 0 };
  return {
    file,
    lines,
    torn,
    /** Reads what was appended since the last call. */
    read() {
      const size = fs.statSync(file).size;
      if (size > offset) {
        const fd = fs.openSync(file, 'r');
        const buf = Buffer.alloc(size - offset);
        fs.readSync(fd, buf, 0, buf.length, offset);
        fs.closeSync(fd);
        offset = size;
        const text = rest + buf.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop();
        // A kill -9 in the middle of a write leaves a torn line (the next process's line follows on it):
        // that message was not delivered (the sink had not finished with it), and counts as such.
        for (const p of parts) {
          for (const piece of p.split(/(?=\{"pid":)/)) {
            try {
              lines.push(JSON.parse(piece));
            } catch {
              torn.count++;
            }
          }
        }
      }
      return lines;
    },
  };
}

/** An event, by what the campaign made unique: every alarm it raises has its own description. */
const keyOf = (l) => `${l.event} ${l.description}`;

/**
 * What the sink shows against what was expected: `expected` is a Set of
 * `<event> <description>` keys (one per event the device had while polled).
 */
function analyse(lines, expected) {
  const byKey = new Map();
  for (const l of lines) {
    const k = keyOf(l);
    if (!byKey.has(k)) byKey.set(k, { count: 0, ids: new Set() });
    const e = byKey.get(k);
    e.count++;
    e.ids.add(l.eventId);
  }
  const lost = [...expected].filter((k) => !byKey.has(k));
  const unexpected = [...byKey.keys()].filter((k) => !expected.has(k));
  const repeats = [...byKey.values()].reduce((n, e) => n + e.count - 1, 0);
  const unrecognisable = [...byKey.entries()].filter(([, e]) => e.ids.size > 1).map(([k]) => k);
  const missingIds = lines.filter((l) => typeof l.eventId !== 'string' || !/^[0-9a-f]{32}$/.test(l.eventId)).length;
  return { expected: expected.size, delivered: lines.length, distinct: byKey.size, lost: lost.length, unexpected: unexpected.length, repeats, unrecognisableRepeats: unrecognisable.length, missingIds, examples: { lost: lost.slice(0, 5), unexpected: unexpected.slice(0, 5), unrecognisable: unrecognisable.slice(0, 5) } };
}

function ok(r) {
  return r.lost === 0 && r.unexpected === 0 && r.unrecognisableRepeats === 0 && r.missingIds === 0;
}

function simulatorModule() {
  return require(path.join(ROOT, 'simulator'));
}

const tabId = 'c0ffee0000000001';

function flowFor(sim, { cluster } = {}) {
  const nodes = [
    { id: tabId, type: 'tab', label: 'campaign', disabled: false, info: '' },
    { id: 'c0ffee0000000002', type: 'mediant-device', name: 'sbc', host: '127.0.0.1', port: String(sim.port), protocol: 'http', tls: '', timeout: 5000, conflictRetry: 0, credentials: { username: USER, password: PASSWORD } },
    {
      id: 'c0ffee0000000003',
      type: 'mediant-alarms-poll',
      z: tabId,
      name: 'alarms',
      device: 'c0ffee0000000002',
      alarmType: 'active',
      pollInterval: 1,
      emitExisting: true,
      output: 'events',
      cluster: cluster ? 'c0ffee0000000005' : '',
      x: 200,
      y: 100,
      wires: [['c0ffee0000000004']],
    },
    { id: 'c0ffee0000000004', type: 'campaign-sink', z: tabId, name: 'sink', x: 400, y: 100, wires: [] },
  ];
  if (cluster) nodes.push({ id: 'c0ffee0000000005', type: 'mediant-cluster', name: 'redis', host: '127.0.0.1', port: String(cluster.port), tls: '', prefix: 'campaign:', leaseSeconds: cluster.leaseSeconds });
  return nodes;
}

/**
 * Waits for `expected` keys in the sink: up to `quietMs` without any new line
 * (a node catching up on thousands of alarms after its last restart keeps
 * delivering), and `maxMs` in all.
 */
async function waitForAll(sink, expected, { quietMs, maxMs }) {
  const end = Date.now() + maxMs;
  let count = -1;
  let since = Date.now();
  for (;;) {
    const lines = sink.read();
    const keys = new Set(lines.map(keyOf));
    if ([...expected].every((k) => keys.has(k))) return true;
    if (lines.length !== count) {
      count = lines.length;
      since = Date.now();
    }
    if (Date.now() - since > quietMs || Date.now() > end) return false;
    await sleep(200);
  }
}

async function waitUntil(what, test, deadlineMs, everyMs = 20) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await test()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** A Node-RED that can be killed and started again as the same instance. */
async function instance(inst, name, { env, settings }) {
  const first = await startNodeRed({ userDir: inst.userDir, name, env, settings });
  const same = { port: first.port, flowFile: first.flowFile, credentialSecret: first.credentialSecret };
  const h = { red: first, restarts: 0 };
  h.kill = async () => {
    await h.red.kill();
  };
  h.start = async () => {
    h.red = await startNodeRed({ userDir: inst.userDir, name, env, settings, ...same });
    h.restarts++;
  };
  h.stop = async () => {
    if (!h.red.exited()) await h.red.stop();
  };
  return h;
}

/**
 * Crash campaign: `kills` rounds of raise / clear / kill -9 / restart.
 * store: 'localfilesystem' | 'localfilesystem-nocache' | 'redis'.
 */
async function crash({ store, kills, batch = 200, seed = 1, log = () => undefined }) {
  const rnd = prng(seed);
  const inst = await installPackage();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-campaign-'));
  removeDirLater(work);
  const sink = sinkOf(path.join(work, 'sink.jsonl'));
  const { startSimulator } = simulatorModule();
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', users: [{ username: USER, password: PASSWORD, privilege: 'securityAdmin' }], bootTimeMs: 500 });
  let redis;
  const started = Date.now();
  let node;
  try {
    let contextStorage;
    if (store === 'redis') {
      redis = await startRedis();
      contextStorage = { default: { module: { $require: REDIS_CONTEXT }, config: { port: redis.port, prefix: 'nr:' } } };
    } else {
      contextStorage = { default: { module: 'localfilesystem', config: { dir: path.join(work, 'ctx'), ...(store === 'localfilesystem-nocache' ? { cache: false } : {}) } } };
    }
    node = await instance(inst, `crash-${store}`, { env: { CAMPAIGN_SINK: sink.file }, settings: { nodesDir: [NODES_DIR], contextStorage } });
    await node.red.deploy(flowFor(sim));

    const expected = new Set();
    /** Alarms whose raise has reached the sink (only those may be cleared: a poll saw them). */
    const delivered = () => {
      const seen = new Set();
      for (const l of sink.read()) if (l.event === 'raised') seen.add(l.description);
      return seen;
    };
    let n = 0;
    const killModes = { time: 0, lines: 0 };
    for (let round = 0; round < kills; round++) {
      // The device changes: a batch of new alarms, and some delivered ones cleared.
      const raise = 1 + Math.floor(rnd() * batch);
      for (let i = 0; i < raise; i++) {
        const a = sim.control.raiseAlarm({ description: `Campaign alarm ${++n}`, severity: 'Major', source: `Board#${n}` });
        expected.add(`raised ${a.description}`);
      }
      const seen = delivered();
      for (const a of sim.control.state().activeAlarms) {
        if (seen.has(a.description) && rnd() < 0.3) {
          sim.control.clearAlarm(a.id);
          expected.add(`cleared ${a.description}`);
        }
      }
      // A random moment of the next polls.
      const before = sink.read().length;
      if (rnd() < 0.5) {
        killModes.time++;
        await sleep(Math.floor(rnd() * 1500));
      } else {
        killModes.lines++;
        const want = before + 1 + Math.floor(rnd() * raise);
        await waitUntil('events on their way', () => sink.read().length >= want, 5000, 1);
      }
      await node.kill();
      await node.start();
      log(`  ${store}: kill ${round + 1}/${kills}, ${sink.read().length} delivered`);
    }
    // Everything the device had must arrive once Node-RED runs on.
    const settled = await waitForAll(sink, expected, { quietMs: DELIVERY_DEADLINE_MS, maxMs: 5 * DELIVERY_DEADLINE_MS });
    if (!settled) log(`  ${store}: not everything arrived; last log lines:\n${node.red.log().split('\n').slice(-20).join('\n')}`);
    await sleep(2500); // a few idle polls: nothing more may come
    const result = analyse(sink.read(), expected);
    return { campaign: `crash, ${store}`, kills, killModes, tornLines: sink.torn.count, seconds: Math.round((Date.now() - started) / 1000), ...result, pass: ok(result) };
  } finally {
    if (node) await node.stop().catch(() => undefined);
    await sim.close();
    if (redis) await redis.close();
  }
}

/**
 * Replica campaign: `processes` Node-RED instances on the same flow with a
 * mediant-cluster node; `steps` random raise / clear / reboot steps; about
 * `kills` kills of the instance that delivers.
 */
async function replicas({ processes, steps, kills, seed = 2, leaseSeconds = 3, log = () => undefined }) {
  const rnd = prng(seed);
  const inst = await installPackage();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-campaign-'));
  removeDirLater(work);
  const sink = sinkOf(path.join(work, 'sink.jsonl'));
  const { startSimulator } = simulatorModule();
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', users: [{ username: USER, password: PASSWORD, privilege: 'securityAdmin' }], bootTimeMs: 1500 });
  const redis = await startRedis();
  const started = Date.now();
  const nodes = [];
  try {
    const flow = flowFor(sim, { cluster: { port: redis.port, leaseSeconds } });
    for (let i = 0; i < processes; i++) {
      const nd = await instance(inst, `replica-${processes}-${i}`, { env: { CAMPAIGN_SINK: sink.file }, settings: { nodesDir: [NODES_DIR] } });
      await nd.red.deploy(flow);
      nodes.push(nd);
    }
    const expected = new Set();
    const keys = () => new Set(sink.read().map(keyOf));
    const arrived = (want) => waitUntil('the step\'s events', () => want.every((k) => keys().has(k)), DELIVERY_DEADLINE_MS, 25);
    const killEvery = Math.max(1, Math.floor(steps / Math.max(kills, 1)));
    const counts = { raise: 0, clear: 0, reboot: 0, kills: 0, late: 0 };
    let n = 0;
    for (let step = 0; step < steps; step++) {
      const r = rnd();
      const want = [];
      const active = sim.control.state().activeAlarms;
      if (r < 0.08 && active.length > 0) {
        counts.reboot++;
        for (const a of active) want.push(`cleared ${a.description}`);
        sim.control.reboot();
      } else if (r < 0.4 && active.length > 0) {
        counts.clear++;
        const a = active[Math.floor(rnd() * active.length)];
        sim.control.clearAlarm(a.id);
        want.push(`cleared ${a.description}`);
      } else {
        counts.raise++;
        if (!sim.control.state().up) await sim.control.waitUntilUp();
        const a = sim.control.raiseAlarm({ description: `Replica alarm ${++n}`, severity: 'Minor', source: `Board#${n}` });
        want.push(`raised ${a.description}`);
      }
      for (const k of want) expected.add(k);
      if (kills > 0 && step % killEvery === killEvery - 1 && counts.kills < kills) {
        // Kill the instance that delivered last (the lease holder), then start it again: it comes back as a standby.
        const lines = sink.read();
        const last = lines[lines.length - 1];
        const leader = nodes.find((x) => last && x.red.pid === last.pid) || nodes[Math.floor(rnd() * nodes.length)];
        await sleep(Math.floor(rnd() * 1000)); // a random moment of its polls
        await leader.kill();
        counts.kills++;
        log(`  replicas ${processes}: step ${step + 1}/${steps}, killed the holder (pid ${leader.red.pid})`);
        await leader.start();
      }
      if (!(await arrived(want))) {
        counts.late++;
        log(`  replicas ${processes}: step ${step + 1}: never arrived: ${want.filter((k) => !keys().has(k)).join(', ')}`);
        for (const nd of nodes) log(`  --- instance pid ${nd.red.pid} ---\n${nd.red.log().split('\n').slice(-15).join('\n')}`);
      }
      if (!sim.control.state().up) await sim.control.waitUntilUp();
    }
    await sleep(2500);
    const result = analyse(sink.read(), expected);
    const senders = new Set(sink.read().map((l) => l.pid)).size;
    return { campaign: `replicas, ${processes} processes`, steps, ...counts, leaseSeconds, senders, seconds: Math.round((Date.now() - started) / 1000), ...result, pass: ok(result) && counts.late === 0 };
  } finally {
    for (const nd of nodes) await nd.stop().catch(() => undefined);
    await sim.close();
    await redis.close();
  }
}

const FULL = {
  // The known-unsafe configuration, for comparison (see the header): not a run that must hold.
  'crash-fs': () => ({ run: crash, opts: { store: 'localfilesystem', kills: 50 }, comparison: true }),
  'crash-fs-nocache': () => ({ run: crash, opts: { store: 'localfilesystem-nocache', kills: 50 } }),
  'crash-redis': () => ({ run: crash, opts: { store: 'redis', kills: 50 } }),
  'replicas-2': () => ({ run: replicas, opts: { processes: 2, steps: 200, kills: 10 } }),
  'replicas-3': () => ({ run: replicas, opts: { processes: 3, steps: 200, kills: 10 } }),
};
const QUICK = {
  'crash-fs': { kills: 3, batch: 50 },
  'crash-fs-nocache': { kills: 3, batch: 50 },
  'crash-redis': { kills: 3, batch: 50 },
  'replicas-2': { steps: 12, kills: 1 },
  'replicas-3': { steps: 12, kills: 1 },
};

function line(r) {
  const verdict = r.comparison ? `comparison, the known-unsafe configuration (the node warns; the README recommends cache: false)${r.pass ? '' : ', loses events by design'}` : r.pass ? 'pass' : 'FAIL';
  const base = `${r.campaign}: ${verdict} — ${r.expected} events expected, ${r.delivered} delivered, ${r.distinct} distinct; lost ${r.lost}, unexpected ${r.unexpected}, repeats ${r.repeats} (all with an eventId already delivered: ${r.unrecognisableRepeats === 0 ? 'yes' : `no, ${r.unrecognisableRepeats}`})`;
  const more = r.kills !== undefined && r.steps !== undefined ? `; ${r.steps} steps (${r.raise} raise, ${r.clear} clear, ${r.reboot} reboot), ${r.kills} holder kills, ${r.senders} instances delivered, late steps ${r.late}` : `; ${r.kills} kill -9 (${r.killModes.time} at a random time, ${r.killModes.lines} during delivery)`;
  return `${base}${more}; ${r.seconds} s`;
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyArg = args.find((a) => a.startsWith('--only='));
  const jsonArg = args.find((a) => a.startsWith('--json='));
  const names = onlyArg ? onlyArg.slice(7).split(',') : Object.keys(FULL);
  const results = [];
  const deadline = setTimeout(async () => {
    process.stderr.write('campaign: 60 minute deadline reached, stopping\n');
    await cleanupAll();
    process.exit(2);
  }, 60 * 60 * 1000);
  deadline.unref();
  try {
    for (const name of names) {
      if (!FULL[name]) throw new Error(`unknown campaign ${name} (${Object.keys(FULL).join(', ')})`);
      const { run, opts, comparison = false } = FULL[name]();
      process.stderr.write(`campaign ${name}${quick ? ' (quick)' : ''}${comparison ? ' (comparison)' : ''}…\n`);
      const r = await run({ ...opts, ...(quick ? QUICK[name] : {}), log: (s) => process.stderr.write(`${s}\n`) });
      r.comparison = comparison;
      results.push(r);
      process.stdout.write(`${line(r)}\n`);
    }
  } finally {
    await cleanupAll();
  }
  if (jsonArg) fs.writeFileSync(path.resolve(jsonArg.slice(7)), JSON.stringify(results, null, 2));
  // Only the runs that must hold decide; the comparison's figures are there to read.
  const held = results.filter((r) => !r.comparison);
  const failed = held.filter((r) => !r.pass);
  process.stdout.write(`campaign: ${failed.length === 0 ? 'pass' : 'FAIL'} — ${held.length - failed.length} of ${held.length} runs that must hold held${results.length > held.length ? `; ${results.length - held.length} comparison run (not counted)` : ''}\n`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

module.exports = { crash, replicas, analyse, line, prng, sinkOf };

if (require.main === module) {
  main().catch(async (err) => {
    process.stderr.write(`campaign failed: ${err.stack || err}\n`);
    await cleanupAll();
    process.exit(2);
  });
}

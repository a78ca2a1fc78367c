'use strict';
/**
 * The fault campaign (issue 9): random operations on every node type of the
 * package in a real Node-RED (`node-red` run by node with
 * --unhandled-rejections=strict, test/e2e/lib/runtime.js), while the devices
 * misbehave:
 *
 *   sim74, sim72  two simulators (firmware 7.4 and 7.2: /kpi and test calls,
 *                 /performanceMonitoring), each going through episodes of
 *                 down, reboot, slow, garbage (malformed JSON, an HTML error
 *                 page, a dropped connection, a body over the size cap), HA
 *                 sync (409) and healthy; sim72's alarms node is coordinated
 *                 through a mediant-cluster node, and its episodes include a
 *                 paused Redis;
 *   hostile       the hostile device (test/helpers/hostile.js), going through
 *                 its switches: deep JSON, odd types, numeric ids, a refused
 *                 id, endless pages, huge details, trickled bodies, 1xx
 *                 floods, echoed credentials, slow accept, silence, error
 *                 statuses.
 *
 * Each operation sends one message, built from a seeded recipe, to one node
 * (test/campaign/nodes/soak-source.js builds it inside Node-RED: hostile
 * types, huge strings, odd objects, own __proto__ keys, FIFOs, sockets and
 * directories as msg.filename), or presses a device's Test connection. Alarms
 * are raised and cleared on the simulators meanwhile. Every output, Catch,
 * Complete and status message is recorded by soak-probe nodes.
 *
 * Checked: Node-RED never exits (an unhandled rejection would end it);
 * every operation ends in an output message, a Catch or (alarm polls, which
 * may have nothing to send) a Complete; no credential in any message, status,
 * error, log line or Test connection answer (what the hostile device sends as
 * data, `msg.payload`, is its own); Object.prototype never polluted; once the
 * devices behave again and the alarms nodes have caught up (at most their
 * longest backoff, 5 min, and a few polls), each simulator's alarm
 * record against its alarms node's events: every alarm still active raised
 * once, every cleared one raised and cleared once (or, for one gone before any
 * poll could see it, neither), nothing the device never had, one eventId per
 * event. RSS is sampled; the peak and the growth from start to end (after a
 * full GC) are reported, and the command line holds them to bounds: RSS at
 * most 1 GiB at any moment, and the heap still alive after a full GC at the
 * end (external memory included) at most 64 MiB above the start's, whatever
 * the number of operations (the short run of npm test only reports them).
 *
 *   node test/campaign/soak.js [--ops=N] [--minutes=M] [--seed=S] [--concurrency=C] [--linked] [--json=FILE]
 *                              [--max-rss-mib=1024] [--max-heap-growth-mib=64]
 *
 * (npm run soak: 10,000 operations by default, at most 60 minutes, the
 * package packed and installed as a user gets it; --linked loads this working
 * tree instead). The seed is printed first: the same seed gives the same
 * operations, recipes and fault episodes in the same order (the moments
 * still vary with timing). The short run of `npm test` is
 * test/campaign/soak.test.js.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { installPackage, linkPackage, startNodeRed, sleep, ROOT, NODE_TYPES } = require('../e2e/lib/runtime');
const { cleanupAll, removeDirLater } = require('../e2e/lib/procs');
const { startRedis } = require('../helpers/redis');
const { startHostile } = require('../helpers/hostile');
const { NO_FAULTS } = require('../helpers/sim');
const { prng, sinkOf } = require('./campaign');
const { HOSTILE_KINDS, WHOLE_KINDS, findSecrets } = require('./soak-values');

const NODES_DIR = path.join(__dirname, 'nodes');
/** Fail (never hang) when an operation never ends; not a performance bound. */
const OP_DEADLINE_MS = 180000;
/**
 * The end: how long the alarms may take to settle once the devices behave: the
 * alarms node's longest backoff after an outage (5 min) and a few polls. A run
 * whose alarms settle ends its wait at once; this bounds a failing one.
 */
const SETTLE_MS = 5 * 60 * 1000 + 30000;

const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/** The environment variable a Test connection names as its host: its value, a secret, must never come back. */
const ENV_SECRET = 'SOAK_ENV_SECRET';

// ---------------------------------------------------------------------------
// The node types under test: their node properties, a message that makes a
// sensible call, and the msg properties they read (where hostile values go).

const PM_NAMES = ['NetUtilKBytes', 'CpuUtilization', 'IPGroupActiveCalls', 'TrunkUtilization', 'NoSuchPm'];
const REQUEST_PATHS = ['/status', '/alarms', '/alarms/active', '/license', '/files', '/kpi', '/kpi/current/system', '/performanceMonitoring', '/sipTestCall/show', '/actions'];
const CLI = ['show system uptime', 'show system version', 'show running-config', 'show active-alarms', 'configure system\n exit', 'configure voip\n sip-definition settings\n  exit\n exit', 'no such command'];

/** type -> { props, benign(pick, files), fields } */
const TYPES = {
  'mediant-status': { props: {}, benign: () => ({}), fields: ['payload', 'topic'] },
  'mediant-reset': {
    props: { saveConfiguration: true, gracefulTimeout: 0, waitForRestart: false, restartTimeout: 15 },
    weight: 0.25,
    benign: (p) => ({ saveConfiguration: p.bool(), gracefulTimeout: p.one([0, 1, 5]), waitForRestart: p.chance(0.3) }),
    fields: ['saveConfiguration', 'gracefulTimeout', 'waitForRestart'],
  },
  'mediant-save-config': { props: {}, benign: () => ({}), fields: ['payload'] },
  'mediant-upload-file': {
    props: { fileType: 'ini/incremental', filename: '' },
    weight: 0.7,
    benign: (p, files) =>
      p.one([
        () => ({ payload: `SyslogServerIP = 10.0.0.${p.int(1, 250)}\n` }),
        () => ({ fileType: 'cliScript/incremental', payload: p.one(CLI) }),
        () => ({ filename: files.ini }),
        () => ({ fileType: 'cpt', payload: 'cpt table' }),
        () => ({ fileType: 'ini/incremental', payload: 'not an ini file' }),
      ])(),
    fields: ['fileType', 'filename', 'payload'],
  },
  'mediant-download-file': { props: { fileType: 'ini' }, benign: (p) => ({ fileType: p.one(['ini', 'cliScript']) }), fields: ['fileType'] },
  'mediant-run-cli': { props: { script: '' }, benign: (p) => ({ payload: p.one(CLI) }), fields: ['payload'] },
  'mediant-alarms-poll': {
    props: { alarmType: 'history', pollInterval: 0, emitExisting: true, output: 'events' },
    benign: (p) => (p.chance(0.5) ? {} : { alarmId: String(p.int(1, 6)) }),
    fields: ['alarmId', 'payload', 'topic'],
  },
  'mediant-pm-read': {
    props: { pm: 'NetUtilKBytes', index: '0', interval: '0', pollInterval: 0 },
    benign: (p) => ({ pm: p.one(PM_NAMES), index: p.one([0, 1, 'all', '']), interval: p.int(0, 2) }),
    fields: ['pm', 'index', 'interval'],
  },
  'mediant-license': {
    props: { action: 'get' },
    benign: (p) => (p.chance(0.8) ? { action: 'get' } : { action: 'put', payload: { licenseVersion: 1, serialNumber: 'soak', key: `KEY-${p.int(1, 99)}` } }),
    fields: ['action', 'payload'],
  },
  'mediant-request': {
    props: { method: 'GET', path: '/status', filename: '' },
    benign: (p, files) =>
      p.one([
        () => ({ method: 'GET', path: p.one(REQUEST_PATHS) }),
        () => ({ method: 'PUT', path: '/files/ini/incremental', payload: 'SyslogServerIP = 10.0.0.9\n' }),
        () => ({ method: 'PUT', path: '/files/cliScript/incremental', filename: files.cli }),
        () => ({ method: 'POST', path: '/actions/saveConfiguration', payload: {} }),
        () => ({ method: 'delete', path: '/alarms/active/1' }),
      ])(),
    fields: ['method', 'path', 'payload', 'filename'],
  },
  // Firmware 7.4 (issue 10): in the campaign as soon as the package has them.
  'mediant-kpi': {
    props: { kpi: '', source: '', interval: '', pollInterval: 0 },
    benign: (p) => ({ kpi: p.one(['system/cpuStats/cpu/0', 'sbc/callStats/global', 'sbc/callStats/ipGroup/1', 'media/mediaStats/global', 'gateway/trunkStats/trunk', 'system/noSuch/thing']), source: p.one(['current', 'current', 'history']), interval: p.one(['last', 0, 1]) }),
    fields: ['kpi', 'source', 'interval'],
  },
  'mediant-test-call': {
    props: { calledNumber: '', callingNumber: '', destAddress: '', destIpGroup: '', transportType: '', timeout: '' },
    weight: 0.6,
    benign: (p) => ({ calledNumber: String(p.int(100, 999)), destIpGroup: p.one([0, 1, 2, 3, 'PBX']), timeout: p.int(1, 2) }),
    fields: ['calledNumber', 'callingNumber', 'destAddress', 'destIpGroup', 'transportType', 'timeout'],
  },
};

/** The config nodes: mediant-device (Test connection, and every node's device) and mediant-cluster (sim72's alarms). */
const CONFIG_TYPES = ['mediant-device', 'mediant-cluster'];

// ---------------------------------------------------------------------------
// Fault episodes.

const SIM_EPISODES = ['healthy', 'down', 'reboot', 'slow', 'malformedJson', 'htmlError', 'dropConnection', 'hugeBody', 'haSync'];
const HOSTILE_EPISODES = [
  ['calm', {}],
  ['deep JSON', { deepJson: 100000 }],
  ['odd types', { oddTypes: true }],
  ['numeric ids', { numericIds: true }],
  ['refused id', { refusedId: true }],
  ['endless pages', { endlessPages: true }],
  ['huge details', { hugeDetails: 4 * 1024 * 1024 }],
  ['many PM indexes', { pmIndexes: 20000 }],
  ['trickled body', { trickleMs: 100 }],
  ['1xx flood', { processingFlood: 20 }],
  ['echoed credentials', { echoCredentials: true }],
  ['echoed header', { echoHeader: true }],
  ['credentials in the body', { echoInBody: true }],
  ['slow accept', { slowAcceptMs: 2000 }],
  ['silence', { silent: true }],
  ['500', { status: 500 }],
  ['409', { status: 409 }],
  ['odd detail reads only', { oddTypes: true, deepJson: 5000, only: /\/alarms\/(active|history)\/[^/]+$/ }],
];

/** A seeded deck: every card once, in a random order, then again. */
function deck(rnd, cards) {
  let left = [];
  return () => {
    if (left.length === 0) {
      left = cards.slice();
      for (let i = left.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [left[i], left[j]] = [left[j], left[i]];
      }
    }
    return left.pop();
  };
}

function picker(rnd) {
  const p = {
    rnd,
    chance: (x) => rnd() < x,
    bool: () => rnd() < 0.5,
    int: (a, b) => a + Math.floor(rnd() * (b - a + 1)),
    one: (list) => list[Math.floor(rnd() * list.length)],
  };
  return p;
}

// ---------------------------------------------------------------------------

function vmRss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Files and non-files for msg.filename. */
function makeFiles(work) {
  const files = {
    ini: path.join(work, 'incremental.ini'),
    cli: path.join(work, 'script.txt'),
    fifo: path.join(work, 'a-fifo'),
    dir: work,
    socket: path.join(work, 'a.sock'),
    missing: path.join(work, 'missing.bin'),
    devZero: '/dev/zero',
    empty: path.join(work, 'empty.bin'),
  };
  fs.writeFileSync(files.ini, 'SyslogServerIP = 10.0.0.7\n');
  fs.writeFileSync(files.cli, 'configure system\n exit\n');
  fs.writeFileSync(files.empty, '');
  execFileSync('mkfifo', [files.fifo]);
  const server = net.createServer(() => undefined);
  server.listen(files.socket);
  return { files, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Runs the campaign; resolves to its figures and `failures` (empty when it
 * passed). Options: ops, minutes, seed, concurrency, linked (this working
 * tree, not the packed package), log (a line printer).
 */
async function soak({ ops = 1000, minutes = 60, seed = Math.floor(Math.random() * 2 ** 31), concurrency = 6, linked = false, episodeOps = [4, 40], bounds, log = () => undefined } = {}) {
  const started = Date.now();
  const rnd = prng(seed);
  const p = picker(rnd);
  log(`soak: seed ${seed} (replay: npm run soak -- --seed=${seed} --ops=${ops}${linked ? ' --linked' : ''})`);

  const inst = linked ? await linkPackage() : await installPackage();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-soak-'));
  removeDirLater(work);
  const { files, close: closeFiles } = makeFiles(work);
  const sink = sinkOf(path.join(work, 'sink.jsonl'));

  const { startSimulator } = require(path.join(ROOT, 'simulator'));
  const creds = {
    sim74: { username: 'soak74', password: `Soak74-${hex(12)}` },
    sim72: { username: 'soak72', password: `Soak72-${hex(12)}` },
    hostile: { username: 'soakh', password: `SoakH-${hex(12)}` },
  };
  const redisPassword = `SoakRedis-${hex(12)}`;
  const envSecret = `SoakEnv-${hex(12)}`;
  const secrets = [redisPassword, envSecret];
  for (const c of Object.values(creds)) secrets.push(c.password, Buffer.from(`${c.username}:${c.password}`).toString('base64'));

  const sims = {
    sim74: await startSimulator({ port: 0, host: '127.0.0.1', firmware: '7.4', bootTimeMs: 400, users: [{ ...creds.sim74, privilege: 'securityAdmin' }] }),
    sim72: await startSimulator({ port: 0, host: '127.0.0.1', firmware: '7.2', bootTimeMs: 400, users: [{ ...creds.sim72, privilege: 'securityAdmin' }] }),
  };
  const hostile = await startHostile(creds.hostile);
  const redis = await startRedis({ password: redisPassword });
  let red;
  const rss = { samples: 0, start: undefined, peak: 0, end: undefined, series: [] };
  let sampler;
  try {
    // --- the flow ---------------------------------------------------------
    const tab = 'soak0000000tab';
    const devices = {
      sim74: { id: 'soakdev0000sim74', port: sims.sim74.port, timeout: 1500, conflictRetry: 0 },
      sim72: { id: 'soakdev0000sim72', port: sims.sim72.port, timeout: 1500, conflictRetry: 2 },
      hostile: { id: 'soakdev000hostil', port: hostile.port, timeout: 800, conflictRetry: 0 },
    };
    const flow = [{ id: tab, type: 'tab', label: 'soak', disabled: false, info: '' }];
    for (const [name, d] of Object.entries(devices)) {
      flow.push({ id: d.id, type: 'mediant-device', name, host: '127.0.0.1', port: String(d.port), protocol: 'http', tls: '', timeout: d.timeout, conflictRetry: d.conflictRetry, credentials: creds[name] });
    }
    const clusterId = 'soakcluster00001';
    flow.push({ id: clusterId, type: 'mediant-cluster', name: 'redis', host: '127.0.0.1', port: String(redis.port), tls: '', prefix: 'soak:', leaseSeconds: 3, credentials: { username: '', password: redisPassword } });

    const types = Object.keys(TYPES).filter((t) => NODE_TYPES.includes(t));
    const missing = NODE_TYPES.filter((t) => !types.includes(t) && !CONFIG_TYPES.includes(t));
    if (missing.length) throw new Error(`soak: no recipe for the node types ${missing.join(', ')} (add them to TYPES)`);
    /** Every node an operation can go to: [{ id, type, device }] */
    const targets = [];
    let n = 0;
    const copyProbe = 'soakprobe000copy';
    const probe = (role, target) => {
      const id = `soakprobe${String(++n).padStart(7, '0')}`;
      flow.push({ id, type: 'soak-probe', z: tab, name: '', role, target, wires: [] });
      return id;
    };
    flow.push({ id: copyProbe, type: 'soak-probe', z: tab, name: 'copies', role: 'copy', target: '', wires: [] });
    for (const type of types) {
      for (const [name, d] of Object.entries(devices)) {
        const id = `soaktarget${String(targets.length).padStart(6, '0')}`;
        // Two wires: Node-RED copies the message for the second one (the copy that overflowed the stack in issue 9).
        flow.push({ id, type, z: tab, name: `${type} ${name}`, device: d.id, ...TYPES[type].props, wires: [[probe('out', id), copyProbe]] });
        targets.push({ id, type, device: name });
      }
    }
    // The alarms nodes whose events are compared with the simulators' records: a timer, every second.
    const watched = {
      sim74: { id: 'soakwatch00sim74', cluster: '' },
      sim72: { id: 'soakwatch00sim72', cluster: clusterId },
    };
    for (const [name, w] of Object.entries(watched)) {
      flow.push({ id: w.id, type: 'mediant-alarms-poll', z: tab, name: `watch ${name}`, device: devices[name].id, alarmType: 'active', pollInterval: 1, emitExisting: true, output: 'events', cluster: w.cluster, wires: [[probe('out', w.id), copyProbe]] });
      targets.push({ id: w.id, type: 'mediant-alarms-poll', device: name, watched: true });
    }
    // Timers on the hostile device and the PM of 7.2: no operation goes to them, they run all along.
    const timers = [
      { id: 'soaktimeralarmsh', type: 'mediant-alarms-poll', device: devices.hostile.id, alarmType: 'active', pollInterval: 1, emitExisting: true, output: 'snapshot' },
      { id: 'soaktimerpm00072', type: 'mediant-pm-read', device: devices.sim72.id, pm: 'NetUtilKBytes', index: 'all', interval: '0', pollInterval: 2 },
    ];
    if (types.includes('mediant-kpi')) timers.push({ id: 'soaktimerkpi0074', type: 'mediant-kpi', device: devices.sim74.id, ...TYPES['mediant-kpi'].props, kpi: 'sbc/callStats/global', source: 'current', pollInterval: 2 });
    for (const tm of timers) flow.push({ ...tm, z: tab, name: `timer ${tm.type}`, wires: [[probe('out', tm.id), copyProbe]] });

    const sourceOutputs = targets.map((tg) => [tg.id]);
    flow.push({ id: 'soaksource000001', type: 'soak-source', z: tab, name: 'operations', outputs: targets.length, wires: sourceOutputs });
    flow.push({ id: 'soakcatch0000001', type: 'catch', z: tab, name: '', scope: null, uncaught: false, wires: [[probe('catch', '')]] });
    flow.push({ id: 'soakstatus000001', type: 'status', z: tab, name: '', scope: null, wires: [[probe('status', '')]] });
    flow.push({ id: 'soakcomplete0001', type: 'complete', z: tab, name: '', scope: [...targets.map((tg) => tg.id), ...timers.map((tm) => tm.id)], uncaught: false, wires: [[probe('complete', '')]] });

    red = await startNodeRed({
      userDir: inst.userDir,
      name: 'soak',
      nodeArgs: ['--unhandled-rejections=strict', '--expose-gc'],
      env: { SOAK_SINK: sink.file, SOAK_SECRETS: JSON.stringify(secrets), [ENV_SECRET]: envSecret },
      settings: { nodesDir: [NODES_DIR], logging: { console: { level: 'info', metrics: false, audit: false } } },
    });
    await red.deploy(flow);
    const memory = async (gc) => (await red.api('GET', `/soak/memory${gc ? '?gc=1' : ''}`)).json;
    sampler = setInterval(() => {
      const v = vmRss(red.pid);
      if (v === undefined) return;
      rss.samples++;
      rss.peak = Math.max(rss.peak, v);
      rss.last = v;
    }, 500);
    await sleep(2000); // the first polls and timer reads
    const heapStart = await memory(true);
    rss.start = vmRss(red.pid);

    // --- the operations ---------------------------------------------------
    /** msgid -> operation */
    const pending = new Map();
    const all = [];
    const byMsgid = new Map();
    let read = 0;
    const readSink = () => {
      const lines = sink.read();
      for (; read < lines.length; read++) {
        const l = lines[read];
        const op = l.m !== undefined ? byMsgid.get(l.m) : undefined;
        if (!op) continue;
        op.lines.push(l);
        if (op.end === undefined && (l.r === 'out' || l.r === 'catch' || l.r === 'complete')) {
          op.end = l.r;
          op.ms = Date.now() - op.at;
          pending.delete(op.msgid);
        }
      }
      return lines;
    };
    const opTargets = targets.filter((tg) => !tg.watched);
    const watchTargets = targets.filter((tg) => tg.watched);
    const nextType = deck(rnd, types.flatMap((t) => Array(Math.round((TYPES[t].weight ?? 1) * 10)).fill(t)));
    const nextKind = deck(rnd, HOSTILE_KINDS);
    const nextWhole = deck(rnd, WHOLE_KINDS);
    const fileKinds = ['fifo', 'dir', 'socket', 'missing', 'devZero', 'empty'];
    const nextFile = deck(rnd, fileKinds);
    const coverage = { types: {}, hostileKinds: {}, wholeKinds: {}, fileKinds: {}, simEpisodes: {}, hostileEpisodes: {}, testConnection: 0 };
    const count = (o, k) => (o[k] = (o[k] || 0) + 1);

    /** A message for `type`: a sensible one, with hostile values in 40% of them. */
    const recipeFor = (type) => {
      const t = TYPES[type];
      const base = t.benign(p, files);
      const props = Object.entries(base).map(([k, v]) => ({ p: k, v }));
      const recipe = { props };
      if (p.chance(0.4)) {
        const howMany = p.int(1, 3);
        for (let i = 0; i < howMany; i++) {
          const prop = p.chance(0.75) ? p.one(t.fields) : p.one(['payload', 'topic', 'filename', 'device', 'statusCode', 'x']);
          if (prop === 'filename' && p.chance(0.6)) {
            const f = nextFile();
            count(coverage.fileKinds, f);
            props.push({ p: 'filename', v: files[f] });
          } else {
            const k = nextKind();
            count(coverage.hostileKinds, k);
            props.push({ p: prop, k, n: k === 'hugeString' ? p.one([1024 * 1024, 1024 * 1024, 8 * 1024 * 1024]) : undefined });
          }
        }
        if (p.chance(0.25)) {
          recipe.whole = nextWhole();
          count(coverage.wholeKinds, recipe.whole);
        }
        recipe.hostile = true;
      }
      return recipe;
    };

    // Fault episodes, counted in operations.
    const episodes = {};
    // Healthy three times in each round of the deck: the nodes must work again between the faults.
    const simCards = [...SIM_EPISODES, 'healthy', 'healthy', 'healthy'];
    const simDeck = { sim74: deck(rnd, simCards), sim72: deck(rnd, [...simCards, 'redisPaused']) };
    const hostileDeck = deck(rnd, HOSTILE_EPISODES);
    const endEpisode = async (name) => {
      const e = episodes[name];
      if (!e) return;
      if (name === 'hostile') hostile.reset();
      else {
        sims[name].control.setFaults(NO_FAULTS);
        if (e.kind === 'redisPaused') redis.resume();
      }
    };
    const startEpisode = (name) => {
      const left = p.int(episodeOps[0], episodeOps[1]);
      if (name === 'hostile') {
        const [label, sw] = hostileDeck();
        count(coverage.hostileEpisodes, label);
        hostile.reset();
        hostile.set(sw);
        episodes.hostile = { kind: label, left };
        return;
      }
      const kind = simDeck[name]();
      count(coverage.simEpisodes, kind);
      const c = sims[name].control;
      switch (kind) {
        case 'down': c.setFaults({ down: true }); break;
        case 'reboot': c.reboot(p.int(200, 2500)); break;
        case 'slow': c.setFaults({ slowMs: p.int(100, 2500) }); break;
        case 'malformedJson': c.setFaults({ malformedJson: true }); break;
        case 'htmlError': c.setFaults({ htmlError: true }); break;
        case 'dropConnection': c.setFaults({ dropConnection: true }); break;
        case 'hugeBody': c.setFaults({ hugeBodyBytes: 17 * 1024 * 1024 }); break;
        case 'haSync': c.setFaults({ haSync: true }); break;
        case 'redisPaused': redis.pause(); break;
        default: break;
      }
      episodes[name] = { kind, left };
    };
    const stepEpisodes = async () => {
      for (const name of ['sim74', 'sim72', 'hostile']) {
        const e = episodes[name];
        if (!e || --e.left <= 0) {
          await endEpisode(name);
          startEpisode(name);
        }
      }
    };

    // Alarms on the simulators: raised at random; cleared at random among those whose raise was delivered
    // (which ones depends on timing: a generator of their own keeps the operations' sequence the seed's).
    const pa = picker(prng(seed ^ 0x5eed));
    let alarmNo = 0;
    const deliveredRaises = (name) => {
      const set = new Set();
      for (const l of sink.lines) if (l.r === 'out' && l.t === watched[name].id && l.ev === 'raised' && l.d) set.add(l.d);
      return set;
    };
    const stepAlarms = () => {
      const name = pa.one(['sim74', 'sim72']);
      const c = sims[name].control;
      if (pa.chance(0.08)) {
        for (let i = pa.int(1, 3); i > 0; i--) {
          alarmNo++;
          c.raiseAlarm({ description: `Soak alarm ${alarmNo}`, severity: pa.one(['Critical', 'Major', 'Minor']), source: `Board#1/Soak#${alarmNo}` });
        }
      } else if (pa.chance(0.05)) {
        const seen = deliveredRaises(name);
        const active = c.state().activeAlarms.filter((a) => seen.has(a.description));
        if (active.length) c.clearAlarm(pa.one(active).id);
      }
    };

    // Test connection (the mediant-device node's own operation): the stored password, a typed one, odd JSON, an env variable.
    const testConnection = async (op) => {
      const name = p.one(Object.keys(devices));
      const d = devices[name];
      const body = { name, host: '127.0.0.1', port: String(d.port), protocol: 'http', tls: '', timeout: d.timeout, username: creds[name].username, password: '__PWRD__' };
      const variant = p.one(['stored', 'stored', 'typed', 'wrong', 'envHost', 'envPort', 'odd', 'userColon']);
      if (variant === 'typed') body.password = creds[name].password;
      if (variant === 'wrong') body.password = 'not-the-password';
      if (variant === 'envHost') body.host = `\${${ENV_SECRET}}`;
      if (variant === 'envPort') body.port = `\${${ENV_SECRET}}`;
      if (variant === 'odd') body[p.one(['host', 'port', 'timeout', 'username', 'protocol'])] = p.one([{}, [1], null, -1, 'x'.repeat(5000), JSON.parse('{"__proto__":{"polluted":1}}')]);
      if (variant === 'userColon') body.username = `${creds[name].username}:${creds[name].password}`;
      op.variant = variant;
      op.to = name;
      try {
        // A Test connection may take its device's timeout (30 s when the dialog has none, at most 60 s) per request, two requests.
        const r = await red.api('POST', `/mediant-device/${d.id}/test`, body, {}, { timeoutMs: 150000 });
        op.end = r.status === 200 ? 'answer' : `http ${r.status}`;
        op.leak = findSecrets(r.text, secrets);
        op.answer = r.text.slice(0, 200);
      } catch (err) {
        op.end = undefined;
        op.failed = err.message;
      }
      op.ms = Date.now() - op.at;
      pending.delete(op.msgid);
    };

    const sourceErrors = [];
    const launch = async (i) => {
      const msgid = `soak-${i}`;
      const op = { i, msgid, at: Date.now(), lines: [] };
      all.push(op);
      byMsgid.set(msgid, op);
      pending.set(msgid, op);
      if (p.chance(0.03)) {
        op.type = 'mediant-device';
        op.device = 'test connection';
        coverage.testConnection++;
        await testConnection(op);
        return;
      }
      let tg;
      let recipe;
      if (p.chance(0.04)) {
        tg = p.one(watchTargets);
        recipe = { props: [] }; // a poll now, on top of the timer's
      } else {
        const type = nextType();
        tg = p.one(opTargets.filter((x) => x.type === type));
        recipe = recipeFor(type);
      }
      count(coverage.types, tg.type);
      Object.assign(op, { type: tg.type, target: tg.id, device: tg.device, recipe, episode: episodes[tg.device]?.kind });
      const r = await red.api('POST', '/soak/op', { output: targets.indexOf(tg), msgid, recipe });
      if (r.status !== 200) {
        // Node-RED (or our builder) refused the message before the node had it: not an operation of the node.
        op.end = 'not sent';
        op.refused = r.text.slice(0, 200);
        pending.delete(msgid);
        sourceErrors.push({ i, status: r.status, text: r.text.slice(0, 200), recipe });
      }
    };

    const deadline = started + minutes * 60 * 1000;
    let launched = 0;
    const inflight = new Set();
    let exited;
    for (; launched < ops && Date.now() < deadline; launched++) {
      if ((exited = red.exited())) break;
      await stepEpisodes();
      stepAlarms();
      const i = launched;
      const l = launch(i).catch((err) => {
        // The admin API could not be reached: the message never got to a node (not a hang of one).
        const text = `${String(err && err.message)}${err && err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`;
        const op = byMsgid.get(`soak-${i}`);
        if (op && op.end === undefined && op.lines.length === 0) {
          op.end = 'not sent';
          op.refused = text;
          pending.delete(op.msgid);
        }
        sourceErrors.push({ i, text });
      });
      inflight.add(l);
      void l.finally(() => inflight.delete(l));
      // Keep `concurrency` operations under way; one that never ends is given up on (and fails the run).
      for (;;) {
        readSink();
        for (const op of pending.values()) {
          const age = Date.now() - op.at;
          if (age > 30000 && !op.warned) {
            op.warned = true;
            log(`  operation ${op.i} (${op.type} on ${op.device}, ${op.episode ?? ''}) under way for 30 s: ${JSON.stringify(op.recipe)}`);
          }
          if (age > OP_DEADLINE_MS) pending.delete(op.msgid);
        }
        if (pending.size < concurrency) break;
        if ((exited = red.exited())) break;
        await sleep(10);
      }
      if (launched % Math.max(100, Math.floor(ops / 10)) === 0) rss.series.push({ ops: launched, mib: mib(rss.last) });
      if (launched % 500 === 499) log(`  ${launched + 1}/${ops} operations, ${Math.round((Date.now() - started) / 1000)} s, RSS ${Math.round((rss.last || 0) / 1048576)} MiB`);
    }
    await Promise.all(inflight);
    // Every operation must end; one that does not is a hang.
    const opDeadline = Date.now() + OP_DEADLINE_MS;
    while (pending.size > 0 && Date.now() < opDeadline && !red.exited()) {
      readSink();
      await sleep(50);
    }

    // --- the devices behave again: the alarms must settle ---------------------
    for (const name of Object.keys(episodes)) await endEpisode(name);
    delete episodes.sim74;
    delete episodes.sim72;
    delete episodes.hostile;
    for (const s of Object.values(sims)) {
      s.control.setFaults(NO_FAULTS);
      await s.control.waitUntilUp();
    }
    const settled = (name) => {
      const got = new Map();
      for (const l of sink.lines) if (l.r === 'out' && l.t === watched[name].id && l.d) got.set(`${l.ev} ${l.d}`, true);
      const st = sims[name].control.state();
      const activeOk = st.activeAlarms.every((a) => got.has(`raised ${a.description}`));
      const clearedOk = st.alarmEvents.filter((e) => e.event === 'cleared').every((e) => !got.has(`raised ${e.alarm.description}`) || got.has(`cleared ${e.alarm.description}`));
      return activeOk && clearedOk;
    };
    const settleStart = Date.now();
    while (!(settled('sim74') && settled('sim72')) && Date.now() - settleStart < SETTLE_MS && !red.exited()) {
      readSink();
      await sleep(200);
    }
    const settleSeconds = Math.round((Date.now() - settleStart) / 1000);
    await sleep(3000); // a few more polls: nothing more may come
    readSink();
    exited = exited || red.exited();
    const heapEnd = exited ? undefined : await memory(true);
    rss.end = exited ? undefined : vmRss(red.pid);
    clearInterval(sampler);
    sampler = undefined;

    // --- the verdict ------------------------------------------------------
    const failures = [];
    const fail = (what, detail) => failures.push(detail === undefined ? what : `${what}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
    const logText = red.log();
    if (exited) fail('Node-RED exited', `${JSON.stringify(exited)}\n${logText.split('\n').slice(-30).join('\n')}`);
    const crashLines = logText.split('\n').filter((l) => /Uncaught Exception|UnhandledPromiseRejection|unhandled rejection|FATAL ERROR|MaxListenersExceededWarning/i.test(l));
    if (crashLines.length) fail('the log reports a crash or a leak warning', crashLines.slice(0, 5).join(' | '));
    const logLeak = findSecrets(logText, secrets);
    if (logLeak.length) fail('a credential in the Node-RED log', logText.split('\n').filter((l) => findSecrets(l, secrets).length).slice(0, 3).join(' | '));
    if (heapEnd?.polluted || heapStart.polluted) fail('Object.prototype was polluted');
    // Memory bounded (npm run soak; the short run in npm test reports, as a test asserts no memory figure):
    // RSS never past a ceiling, and what is still alive after a full GC at the end
    // close to what was at the start, whatever the number of operations.
    if (bounds && !exited) {
      if (bounds.rssMiB !== undefined && rss.peak > bounds.rssMiB * 1048576) fail(`RSS peaked at ${mib(rss.peak)} MiB, over the bound of ${bounds.rssMiB} MiB`);
      const grown = heapEnd.heapUsed + heapEnd.external - heapStart.heapUsed - heapStart.external;
      if (bounds.heapGrowthMiB !== undefined && grown > bounds.heapGrowthMiB * 1048576) fail(`the heap after a full GC grew by ${mib(grown)} MiB (external memory included), over the bound of ${bounds.heapGrowthMiB} MiB`);
    }

    const nodeOps = all.filter((o) => o.type !== 'mediant-device' && o.end !== 'not sent');
    const unfinished = all.filter((o) => o.end === undefined);
    if (unfinished.length) fail(`${unfinished.length} operations never ended (no output, Catch or Complete)`, unfinished.slice(0, 5).map((o) => ({ i: o.i, type: o.type, device: o.device, episode: o.episode, recipe: o.recipe, failed: o.failed })));
    // A flow node's call sends a message or reaches Catch; only an alarm poll may have nothing to send.
    const silent = nodeOps.filter((o) => o.end === 'complete' && o.type !== 'mediant-alarms-poll' && !o.lines.some((l) => l.r === 'out' || l.r === 'catch'));
    if (silent.length) fail(`${silent.length} operations ended with neither a message nor a Catch`, silent.slice(0, 5).map((o) => ({ i: o.i, type: o.type, recipe: o.recipe })));
    const badCatch = sink.lines.filter((l) => l.r === 'catch' && (!l.e || /^\(not a string/.test(l.e)));
    if (badCatch.length) fail('Catch messages without an error text', badCatch.slice(0, 3));

    // Credentials: nowhere, but in what the hostile device itself sent as data (msg.payload of a
    // message that left a node: at its output, and the same message at Complete or Catch).
    const byId = new Map([...targets, ...timers.map((tm) => ({ id: tm.id, type: tm.type, device: tm.id === 'soaktimeralarmsh' ? 'hostile' : 'sim72' }))].map((tg) => [tg.id, tg]));
    const fromHostile = (l) => byId.get(l.r === 'out' ? l.t : l.s)?.device === 'hostile';
    const deviceData = [];
    const leaks = [];
    for (const l of sink.lines) {
      if (!l.leak) continue;
      if (l.r !== 'status' && fromHostile(l) && l.leak.every((w) => /^(payload|raised|cleared|history)(\.|$)/.test(w))) deviceData.push(l);
      else leaks.push(l);
    }
    if (leaks.length) fail(`${leaks.length} messages, statuses or errors with a credential`, leaks.slice(0, 5));
    const testLeaks = all.filter((o) => o.leak && o.leak.length);
    if (testLeaks.length) fail('a Test connection answer with a credential', testLeaks.slice(0, 3).map((o) => ({ variant: o.variant, answer: o.answer })));
    const testFailed = all.filter((o) => o.type === 'mediant-device' && o.end !== 'answer');
    if (testFailed.length) fail('Test connection without an answer', testFailed.slice(0, 3).map((o) => ({ to: o.to, variant: o.variant, end: o.end, failed: o.failed })));

    // Alarms: each simulator's own record against its watching node's events.
    const alarms = {};
    for (const name of Object.keys(watched)) {
      const st = sims[name].control.state();
      const record = st.alarmEvents.filter((e) => /^Soak alarm /.test(e.alarm.description));
      const events = sink.lines.filter((l) => l.r === 'out' && l.t === watched[name].id && (l.ev === 'raised' || l.ev === 'cleared'));
      const byDesc = new Map();
      for (const e of events) {
        const k = e.d;
        if (!byDesc.has(k)) byDesc.set(k, { raised: 0, cleared: 0, ids: { raised: new Set(), cleared: new Set() } });
        const x = byDesc.get(k);
        x[e.ev]++;
        x.ids[e.ev].add(e.eid);
      }
      const active = new Set(st.activeAlarms.map((a) => a.description));
      const raisedOnDevice = new Set(record.filter((e) => e.event === 'raised').map((e) => e.alarm.description));
      const r = { boots: st.bootCount, raisedOnDevice: raisedOnDevice.size, clearedOnDevice: record.filter((e) => e.event === 'cleared').length, events: events.length, lost: [], repeated: [], unexpected: [], unseen: 0, eventIds: [] };
      for (const desc of raisedOnDevice) {
        const x = byDesc.get(desc) || { raised: 0, cleared: 0, ids: { raised: new Set(), cleared: new Set() } };
        if (x.raised > 1 || x.cleared > 1) r.repeated.push(`${desc} (${x.raised} raised, ${x.cleared} cleared)`);
        if (x.ids.raised.size > 1 || x.ids.cleared.size > 1) r.eventIds.push(desc);
        if (active.has(desc)) {
          if (x.raised === 0) r.lost.push(`raised ${desc}`);
          if (x.cleared > 0) r.unexpected.push(`cleared ${desc} (still active)`);
        } else if (x.raised === 0 && x.cleared === 0) {
          r.unseen++; // raised and gone before any poll could see it
        } else {
          if (x.raised === 0) r.unexpected.push(`cleared ${desc} never reported raised`);
          if (x.cleared === 0) r.lost.push(`cleared ${desc}`);
        }
      }
      for (const desc of byDesc.keys()) if (!raisedOnDevice.has(desc)) r.unexpected.push(`${desc} (never on the device)`);
      const statuses = sink.lines.filter((l) => l.r === 'status' && l.s === watched[name].id);
      r.lastStatuses = statuses.slice(-3).map((l) => l.text);
      alarms[name] = { ...r, lost: r.lost.length, repeated: r.repeated.length, unexpected: r.unexpected.length, eventIds: r.eventIds.length, examples: { lost: r.lost.slice(0, 5), repeated: r.repeated.slice(0, 5), unexpected: r.unexpected.slice(0, 5) } };
      if (r.lost.length || r.repeated.length || r.unexpected.length || r.eventIds.length) fail(`alarms of ${name}: ${r.lost.length} lost, ${r.repeated.length} repeated, ${r.unexpected.length} unexpected, ${r.eventIds.length} with two eventIds`, alarms[name].examples);
    }

    // Figures.
    const perType = {};
    for (const o of all) {
      const t = (perType[o.type] ??= { operations: 0, output: 0, caught: 0, completeOnly: 0, notSent: 0, hostileMsgs: 0 });
      t.operations++;
      if (o.recipe?.hostile) t.hostileMsgs++;
      if (o.end === 'not sent') t.notSent++;
      else if (o.type === 'mediant-device') (o.end === 'answer' ? t.output++ : 0);
      else if (o.lines.some((l) => l.r === 'out')) t.output++;
      else if (o.lines.some((l) => l.r === 'catch')) t.caught++;
      else if (o.end === 'complete') t.completeOnly++;
    }
    const caught = sink.lines.filter((l) => l.r === 'catch');
    // What the Catch node got, per node type: the commonest texts (numbers and quoted values folded).
    const errorsByType = {};
    for (const l of caught) {
      const type = byId.get(l.s)?.type ?? l.ty ?? '?';
      const text = String(l.e).replace(/"[^"]*"/g, '"…"').replace(/\d+(\.\d+)?/g, 'N').slice(0, 140);
      const m = (errorsByType[type] ??= new Map());
      m.set(text, (m.get(text) || 0) + 1);
    }
    for (const [type, m] of Object.entries(errorsByType)) errorsByType[type] = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, n]) => `${n}× ${t}`);
    // A failed run keeps what it saw, for a look after the work directory is gone.
    let kept;
    if (failures.length) {
      kept = fs.mkdtempSync(path.join(os.tmpdir(), `mediant-soak-failed-${seed}-`));
      fs.copyFileSync(sink.file, path.join(kept, 'sink.jsonl'));
      fs.writeFileSync(path.join(kept, 'node-red.log'), logText);
      fs.writeFileSync(path.join(kept, 'operations.json'), JSON.stringify(all.map(({ lines, ...o }) => o)));
      fs.writeFileSync(path.join(kept, 'simulators.json'), JSON.stringify({ sim74: sims.sim74.control.state().alarmEvents, sim72: sims.sim72.control.state().alarmEvents }));
    }
    const result = {
      kept,
      seed,
      operations: all.length,
      asked: ops,
      nodeOperations: nodeOps.length,
      outputs: nodeOps.filter((o) => o.lines.some((l) => l.r === 'out')).length,
      caughtOps: nodeOps.filter((o) => !o.lines.some((l) => l.r === 'out') && o.lines.some((l) => l.r === 'catch')).length,
      completeOnly: nodeOps.filter((o) => o.end === 'complete' && !o.lines.some((l) => l.r === 'out' || l.r === 'catch')).length,
      hostileMsgs: all.filter((o) => o.recipe?.hostile).length,
      notSent: sourceErrors.length,
      unfinished: unfinished.length,
      catchMessages: caught.length,
      timerErrors: caught.filter((l) => !l.m || !byMsgid.has(l.m)).length,
      statuses: sink.lines.filter((l) => l.r === 'status').length,
      deviceDataWithCredentials: deviceData.length,
      perType,
      errorsByType,
      alarms,
      coverage,
      rss: { startMiB: mib(rss.start), peakMiB: mib(rss.peak), endMiB: mib(rss.end), growthMiB: rss.end && rss.start ? mib(rss.end - rss.start) : undefined, samples: rss.samples, series: rss.series },
      heap: { startMiB: mib(heapStart.heapUsed), endMiB: heapEnd ? mib(heapEnd.heapUsed) : undefined, externalStartMiB: mib(heapStart.external), externalEndMiB: heapEnd ? mib(heapEnd.external) : undefined, handlesStart: heapStart.handles, handlesEnd: heapEnd?.handles },
      exited: exited || null,
      settleSeconds,
      seconds: Math.round((Date.now() - started) / 1000),
      failures,
      sourceErrors: sourceErrors.slice(0, 5),
    };
    return result;
  } finally {
    if (sampler) clearInterval(sampler);
    if (red) await red.stop().catch(() => undefined);
    await hostile.close();
    for (const s of Object.values(sims)) await s.close();
    redis.resume?.();
    await redis.close();
    await closeFiles();
  }
}

function mib(bytes) {
  return bytes === undefined ? undefined : Math.round((bytes / 1048576) * 10) / 10;
}

/** The figures in a few lines. */
function summary(r) {
  const lines = [];
  lines.push(`soak: ${r.failures.length === 0 ? 'pass' : 'FAIL'} — seed ${r.seed}, ${r.operations} operations in ${r.seconds} s (${r.nodeOperations} messages to nodes, ${r.hostileMsgs} of them hostile; ${r.operations - r.nodeOperations - r.notSent} Test connections)`);
  lines.push(`  outcomes: ${r.outputs} output, ${r.caughtOps} Catch only, ${r.completeOnly} Complete only (alarm polls with nothing new), ${r.unfinished} never ended, ${r.notSent} refused by Node-RED before the node; ${r.catchMessages} Catch messages in all (${r.timerErrors} from timers)`);
  lines.push(`  the alarms settled ${r.settleSeconds} s after the devices behaved again`);
  lines.push(`  Node-RED: ${r.exited ? `EXITED ${JSON.stringify(r.exited)}` : 'never exited'}; RSS start ${r.rss.startMiB} MiB, peak ${r.rss.peakMiB} MiB, end ${r.rss.endMiB} MiB (growth ${r.rss.growthMiB} MiB); heap after GC ${r.heap.startMiB} -> ${r.heap.endMiB} MiB, external ${r.heap.externalStartMiB} -> ${r.heap.externalEndMiB} MiB, handles ${r.heap.handlesStart} -> ${r.heap.handlesEnd}; RSS along the way ${r.rss.series.map((x) => `${x.mib}`).join(', ')} MiB`);
  for (const [name, a] of Object.entries(r.alarms)) {
    lines.push(`  alarms ${name}: ${a.boots} boots, ${a.raisedOnDevice} raised and ${a.clearedOnDevice} cleared on the device, ${a.events} events; lost ${a.lost}, repeated ${a.repeated}, unexpected ${a.unexpected}, unseen (gone before a poll) ${a.unseen}${a.lost || a.repeated || a.unexpected ? `; last statuses: ${a.lastStatuses.join(' | ')}` : ''}`);
  }
  lines.push(`  credentials: ${r.failures.some((f) => /credential/.test(f)) ? "FOUND (below)" : "none"} in messages, statuses, errors, the log and Test connection answers, but in msg.payload as the hostile device sent it (${r.deviceDataWithCredentials} messages)`);
  lines.push(`  per node type: ${Object.entries(r.perType).map(([t, x]) => `${t.replace(/^mediant-/, '')} ${x.operations} (${x.output} out / ${x.caught} caught${x.completeOnly ? ` / ${x.completeOnly} complete` : ''})`).join(', ')}`);
  lines.push(`  episodes: sims ${Object.entries(r.coverage.simEpisodes).map(([k, v]) => `${k} ${v}`).join(', ')}; hostile ${Object.keys(r.coverage.hostileEpisodes).length} kinds`);
  for (const f of r.failures) lines.push(`  FAILURE ${f}`);
  if (r.kept) lines.push(`  what the failed run saw (sink, log, operations, the simulators' records): ${r.kept}`);
  return lines.join('\n');
}

async function main() {
  const args = Object.fromEntries(
    process.argv.slice(2).map((a) => {
      const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
      if (!m) throw new Error(`soak: unknown argument ${a}`);
      return [m[1], m[2] === undefined ? true : m[2]];
    }),
  );
  const opts = {
    ops: args.ops !== undefined ? Number(args.ops) : 10000,
    minutes: args.minutes !== undefined ? Number(args.minutes) : 60,
    concurrency: args.concurrency !== undefined ? Number(args.concurrency) : 6,
    // RSS at most 1 GiB at any time; the heap still alive after a full GC at the end (external included) at most 64 MiB above the start's.
    bounds: { rssMiB: args['max-rss-mib'] !== undefined ? Number(args['max-rss-mib']) : 1024, heapGrowthMiB: args['max-heap-growth-mib'] !== undefined ? Number(args['max-heap-growth-mib']) : 64 },
    linked: Boolean(args.linked),
    log: (s) => process.stderr.write(`${s}\n`),
  };
  if (args.seed !== undefined) opts.seed = Number(args.seed);
  const r = await soak(opts);
  process.stdout.write(`${summary(r)}\n`);
  if (args.json) fs.writeFileSync(path.resolve(String(args.json)), JSON.stringify(r, null, 2));
  process.exitCode = r.failures.length === 0 ? 0 : 1;
}

module.exports = { soak, summary, TYPES, SIM_EPISODES, HOSTILE_EPISODES };

if (require.main === module) {
  main()
    .catch(async (err) => {
      process.stderr.write(`soak failed: ${err.stack || err}\n`);
      process.exitCode = 2;
    })
    .finally(() => cleanupAll());
}

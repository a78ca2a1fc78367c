'use strict';
// The mediant-alarms-poll node in Node-RED (node-red-node-test-helper)
// against the simulator: what it sends for events and snapshots, msg.alarmId,
// emitExisting, its timer, backoff while the device is down, that polls never
// overlap, that timers stop on close and that its state survives a redeploy
// and a restart with a persistent context store.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const { startSim } = require('../helpers/sim');
const h = require('./node-harness');

const { helper, PASSWORD } = h;

/** Requests under /api, as `METHOD path`. */
function apiRequests(sim) {
  return sim.control
    .log()
    .filter((e) => e.path.startsWith('/api'))
    .map((e) => `${e.method} ${e.path}`);
}

/** Every message a helper node receives, and a way to wait for the next ones. */
function collect(id) {
  const got = [];
  const waiters = [];
  helper.getNode(id).on('input', (m) => {
    got.push(m);
    for (const w of [...waiters]) if (w.test(got)) w.resolve();
  });
  got.until = (test, what) =>
    new Promise((resolve, reject) => {
      if (test(got)) return resolve(got);
      // Only so that a broken node fails the test instead of hanging it.
      const guard = setTimeout(() => reject(new Error(`${id}: never got ${what}`)), 20000);
      waiters.push({
        test,
        resolve: () => {
          clearTimeout(guard);
          resolve(got);
        },
      });
    });
  return got;
}

/** Status texts the poll node shows, in order, and a way to wait for one. */
function statuses() {
  const node = helper.getNode('poll1');
  const seen = [];
  const waiters = [];
  node.on('call:status', (call) => {
    const s = call.args[0] || {};
    seen.push(s);
    for (const w of [...waiters]) if (w.test(s)) w.resolve(s);
  });
  seen.until = (test, what) =>
    new Promise((resolve, reject) => {
      const hit = seen.find(test);
      if (hit) return resolve(hit);
      const guard = setTimeout(() => reject(new Error(`status never showed ${what}; saw ${JSON.stringify(seen.map((x) => x.text))}`)), 20000);
      waiters.push({
        test,
        resolve: (s) => {
          clearTimeout(guard);
          resolve(s);
        },
      });
    });
  return seen;
}

function noCredentials(things) {
  const text = JSON.stringify(things);
  text.should.not.containEql(PASSWORD);
  text.should.not.containEql('Basic ');
  text.should.not.containEql(Buffer.from(`Admin:${PASSWORD}`).toString('base64'));
}

const STATUS_OK = /^\d+ (active|new) · \d\d:\d\d:\d\d$/;

describe('alarms: mediant-alarms-poll node', function () {
  let sim;

  before(h.startServer);
  after(h.stopServer);

  beforeEach(async function () {
    sim = await startSim({ users: h.SIM_USERS, bootTimeMs: 20 });
  });

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  describe('events', function () {
    it('sends one message per raise and clear, with details, topic, text, device and status code, keeping the input message', async function () {
      const c = sim.control;
      const trunk = c.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Board#1' });
      c.raiseAlarm({ description: 'Fan failure', severity: 'Minor', source: 'Chassis#0/Fan#1' });
      await h.load(h.flowFor(sim, {}));
      const seen = statuses();

      const first = await h.pollOnce({ ticket: 'T-1' });
      first.map((m) => `${m.event} ${m.topic}`).should.eql(['raised Major: Trunk is down', 'raised Minor: Fan failure']);
      const m = first[0];
      m.payload.should.eql({ id: '1', description: 'Trunk is down', severity: 'Major', source: 'Board#1', date: trunk.date, url: '/api/v1/alarms/active/1' });
      m.text.should.equal(`[Major] Trunk is down — Board#1 on lab-sbc, raised ${trunk.date}`);
      m.statusCode.should.equal(200);
      m.device.should.equal('lab-sbc');
      m.ticket.should.equal('T-1');
      (await seen.until((s) => s.text && s.text.startsWith('2 active'), '2 active')).text.should.match(STATUS_OK);
      seen.map((s) => s.text).should.containEql('polling…');

      c.clearAlarm('1');
      const second = await h.pollOnce();
      second.length.should.equal(1);
      second[0].event.should.equal('cleared');
      second[0].payload.should.containEql({ id: '1', description: 'Trunk is down', date: trunk.date });
      second[0].text.should.match(/^\[Major\] Trunk is down — Board#1 on lab-sbc, cleared \(gone at \d{4}-\d\d-\d\dT[^ ;]+Z; raised /);
      second[0].text.should.endWith(`; raised ${trunk.date})`);

      (await h.pollOnce()).should.eql([]);
      noCredentials([first, second, seen]);
    });

    it('history: each new entry once, as event "history"', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'Trunk is down', severity: 'Major' });
      await h.load(h.flowFor(sim, { alarmType: 'history' }));
      const first = await h.pollOnce();
      first.map((m) => `${m.event} ${m.payload.id} ${m.topic}`).should.eql(['history 1 Major: Trunk is down']);
      first[0].text.should.equal(`[Major] Trunk is down — Board#1 on lab-sbc, logged ${first[0].payload.date}`);
      c.clearAlarm('1');
      const second = await h.pollOnce();
      second.map((m) => `${m.event} ${m.payload.id} ${m.topic}`).should.eql(['history 2 Cleared: Trunk is down']);
      sim.control.clearLog();
      (await h.pollOnce()).should.eql([]);
      apiRequests(sim).length.should.equal(2);
    });

    it('with emitExisting false, reports nothing on the first poll and changes afterwards', async function () {
      sim.control.raiseAlarm({ description: 'Old news' });
      await h.load(h.flowFor(sim, { emitExisting: false }));
      (await h.pollOnce()).should.eql([]);
      sim.control.raiseAlarm({ description: 'Fresh' });
      (await h.pollOnce()).map((m) => `${m.event} ${m.payload.description}`).should.eql(['raised Fresh']);
    });
  });

  describe('event ids', function () {
    it('every event carries msg.eventId; the same raise worked out again after a restart without state has the same id', async function () {
      sim.control.raiseAlarm({ description: 'Trunk is down' });
      await h.load(h.flowFor(sim, {}));
      const [raised] = await h.pollOnce();
      raised.eventId.should.match(/^[0-9a-f]{32}$/);
      sim.control.clearAlarm('1');
      const [cleared] = await h.pollOnce();
      cleared.event.should.equal('cleared');
      cleared.eventId.should.match(/^[0-9a-f]{32}$/).and.not.equal(raised.eventId);
      await helper.unload();

      // A Node-RED that starts with no state (another instance, a lost store) sees the same raise.
      sim.control.raiseAlarm({ description: 'Fan failure' });
      await h.load(h.flowFor(sim, {}));
      const [a] = await h.pollOnce();
      await helper.unload();
      await h.load(h.flowFor(sim, {}));
      const [b] = await h.pollOnce();
      b.eventId.should.equal(a.eventId);
    });

    it('a snapshot carries the event ids of what it reports in msg.eventIds', async function () {
      sim.control.raiseAlarm({ description: 'A' });
      await h.load(h.flowFor(sim, { output: 'snapshot' }));
      const [first] = await h.pollOnce();
      first.eventIds.raised.length.should.equal(1);
      first.eventIds.raised[0].should.match(/^[0-9a-f]{32}$/);
      first.eventIds.cleared.should.eql([]);
    });
  });

  describe('the state belongs to its device', function () {
    it('repointed at another device, the node reports nothing about the old one and says so once in the log', async function () {
      sim.control.raiseAlarm({ description: 'On the old device' });
      const flow = h.flowFor(sim, {});
      await h.load(flow);
      (await h.pollOnce()).map((m) => `${m.event} ${m.payload.description}`).should.eql(['raised On the old device']);

      const other = await startSim({ users: h.SIM_USERS, bootTimeMs: 20 });
      try {
        other.control.raiseAlarm({ description: 'On the new device' });
        const repointed = flow.map((n) => (n.id === 'dev1' ? { ...n, port: String(other.port) } : n));
        await helper.setFlows(repointed, 'full', h.CREDENTIALS);
        const warned = [];
        helper.getNode('poll1').on('call:warn', (call) => warned.push(String(call.args[0])));
        (await h.pollOnce()).map((m) => `${m.event} ${m.payload.description}`).should.eql(['raised On the new device']);
        warned.length.should.equal(1);
        warned[0].should.match(/belongs to another device \(127\.0\.0\.1:\d+\), not to 127\.0\.0\.1:\d+: discarded/);
        (await h.pollOnce()).should.eql([]);
      } finally {
        await helper.unload();
        await other.close();
      }
    });
  });

  describe('snapshot', function () {
    it('sends one message per poll: every current alarm, with what was raised and cleared', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'A' });
      c.raiseAlarm({ description: 'B' });
      await h.load(h.flowFor(sim, { output: 'snapshot' }));
      const [first, ...more] = await h.pollOnce({ keep: 1 });
      more.should.eql([]);
      first.payload.map((a) => a.description).should.eql(['A', 'B']);
      first.raised.map((a) => a.description).should.eql(['A', 'B']);
      first.cleared.should.eql([]);
      first.statusCode.should.equal(200);
      first.device.should.equal('lab-sbc');
      first.keep.should.equal(1);

      c.clearAlarm('1');
      c.raiseAlarm({ description: 'C' });
      const [second] = await h.pollOnce();
      second.payload.map((a) => a.description).should.eql(['B', 'C']);
      second.raised.map((a) => a.description).should.eql(['C']);
      second.cleared.map((a) => a.description).should.eql(['A']);

      const [idle] = await h.pollOnce();
      idle.payload.length.should.equal(2);
      idle.raised.should.eql([]);
      idle.cleared.should.eql([]);
    });
  });

  describe('msg.alarmId', function () {
    it('reads that one alarm and sends it with msg.event "get"', async function () {
      const a = sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Critical' });
      await h.load(h.flowFor(sim, {}));
      sim.control.clearLog();
      const [m] = await h.pollOnce({ alarmId: 1, ticket: 'T-9' });
      m.event.should.equal('get');
      m.payload.should.containEql({ id: '1', description: 'Trunk is down', severity: 'Critical', date: a.date });
      m.topic.should.equal('Critical: Trunk is down');
      m.text.should.equal(`[Critical] Trunk is down — Board#1 on lab-sbc, raised ${a.date}`);
      m.statusCode.should.equal(200);
      m.ticket.should.equal('T-9');
      apiRequests(sim).should.eql(['GET /api/v1/alarms/active/1']);
    });

    it('an alarm that is not there reaches Catch with the status code and the device text', async function () {
      await h.load(h.flowFor(sim, {}));
      const err = await h.pollOnce({ alarmId: '42' }).then(
        () => should.fail('no error'),
        (e) => e,
      );
      err.msg.statusCode.should.equal(404);
      err.msg.error.message.should.match(/404 Not Found: Alarm not found/);
      err.msg.device.should.equal('lab-sbc');
    });

    for (const bad of ['../actions/reset', 'abc', -1, '1?x=1', '', { id: 1 }, true]) {
      it(`refuses alarmId ${JSON.stringify(bad)} before any request`, async function () {
        await h.load(h.flowFor(sim, {}));
        await h.pollOnce(); // state loaded, first poll done
        sim.control.clearLog();
        const err = await h.pollOnce({ alarmId: bad }).then(
          () => should.fail('no error'),
          (e) => e,
        );
        err.msg.error.message.should.startWith('msg.alarmId must be decimal digits (an alarm id), got ');
        apiRequests(sim).should.eql([]);
        noCredentials(err.msg);
      });
    }
  });

  describe('polling', function () {
    it('polls on its own timer and shows the count and the time', async function () {
      sim.control.raiseAlarm({ description: 'A' });
      await h.load(h.flowFor(sim, { pollInterval: 1 }));
      const out = collect('out');
      const seen = statuses();
      await out.until((g) => g.length >= 1, 'the raised alarm');
      out[0].event.should.equal('raised');
      out[0].topic.should.equal('Major: A');
      await seen.until((s) => /^1 active · /.test(s.text || ''), '1 active');
      sim.control.raiseAlarm({ description: 'B' });
      await out.until((g) => g.length >= 2, 'the second alarm');
      out.map((m) => `${m.event} ${m.payload.description}`).should.eql(['raised A', 'raised B']);
    });

    it('messages during a poll wait and share the next poll; polls never run side by side', async function () {
      await h.load(h.flowFor(sim, {}));
      await h.pollOnce();
      sim.control.setFaults({ slowMs: 150 });
      sim.control.clearLog();
      // three messages at once: the first starts a poll, the other two share the one after it
      const results = await Promise.all([h.pollOnce(), h.pollOnce(), h.pollOnce()]);
      results.should.eql([[], [], []]);
      apiRequests(sim).should.eql(['GET /api/v1/alarms/active?limit=100', 'GET /api/v1/alarms/active?limit=100']);
    });

    it('backs off while the device is unreachable, says so, reports the outage to Catch once, and resumes with nothing lost', async function () {
      await h.load(h.flowFor(sim, { pollInterval: 1 }));
      const out = collect('out');
      const caught = collect('caught');
      const seen = statuses();
      await seen.until((s) => /^0 active/.test(s.text || ''), 'a first poll');

      sim.control.setFaults({ down: true });
      sim.control.raiseAlarm({ description: 'Raised while unreachable' });
      const first = await seen.until((s) => /^unreachable, retry in/.test(s.text || ''), 'unreachable');
      first.should.containEql({ fill: 'yellow', shape: 'ring', text: 'unreachable, retry in 2 s' });
      await seen.until((s) => s.text === 'unreachable, retry in 4 s', 'the delay doubled');
      caught.length.should.equal(1);
      caught[0].error.message.should.match(/network/);
      caught[0].device.should.equal('lab-sbc');
      caught[0].topic.should.equal('alarms/active');
      out.length.should.equal(0);

      sim.control.setFaults({ down: false });
      await out.until((g) => g.length >= 1, 'the alarm raised during the outage');
      await seen.until((s) => /^1 active · /.test(s.text || ''), '1 active');
      out.map((m) => `${m.event} ${m.payload.description}`).should.eql(['raised Raised while unreachable']);
      caught.length.should.equal(1);
      noCredentials([out, caught, seen]);
    });

    it('messages that poll during an outage each get the error, and leave the timer\'s backoff as it was (found by the fault campaign)', async function () {
      // A poll asked for by a message counted as one more failed timer poll: each one doubled
      // the wait, and a few messages in an outage kept the timer away for 5 min after the device was back.
      sim.control.setFaults({ down: true });
      await h.load(h.flowFor(sim, { pollInterval: 60 }));
      const seen = statuses();
      await seen.until((s) => /^unreachable, retry in/.test(s.text || ''), 'the timer\'s first failure');
      for (let i = 0; i < 3; i++) {
        const err = await h.pollOnce().then(
          () => should.fail('no error'),
          (e) => e,
        );
        err.msg.error.message.should.match(/network/);
      }
      const waits = seen.filter((s) => /^unreachable, retry in/.test(s.text || '')).map((s) => Number(/retry in ([\d.]+) s/.exec(s.text)[1]));
      waits[0].should.equal(120);
      waits.length.should.equal(4);
      for (const w of waits) w.should.be.belowOrEqual(120);
    });

    it('stops its timer when the flow stops', async function () {
      await h.load(h.flowFor(sim, { pollInterval: 1 }));
      const seen = statuses();
      await seen.until((s) => /^0 active/.test(s.text || ''), 'a first poll');
      await helper.clearFlows();
      const stopped = apiRequests(sim).length;
      // more than one poll interval goes by: no request
      await new Promise((r) => setTimeout(r, 2500));
      apiRequests(sim).length.should.equal(stopped);
    });

    it('a device error on a timer poll reaches Catch with the status code, once while it lasts', async function () {
      await h.load(h.flowFor(sim, { pollInterval: 1 }));
      const seen = statuses();
      const caught = collect('caught');
      await seen.until((s) => /^0 active/.test(s.text || ''), 'a first poll');
      sim.control.setFaults({ htmlError: true });
      await caught.until((g) => g.length >= 1, 'the error');
      // several more polls fail the same way (each shows the red status again)...
      const reds = () => seen.filter((s) => s.fill === 'red').length;
      await seen.until(() => reds() >= 3, 'more failed polls');
      seen.find((s) => s.fill === 'red').text.should.match(/^500 Internal Server Error · \d\d:\d\d:\d\d$/);
      // ...but Catch heard of it once
      caught.length.should.equal(1);
      caught[0].statusCode.should.equal(500);
      caught[0].error.message.should.match(/500 Internal Server Error/);
      sim.control.setFaults({ htmlError: false });
      sim.control.raiseAlarm({ description: 'After the errors' });
      const out = collect('out');
      await out.until((g) => g.length >= 1, 'the alarm');
      out[0].payload.description.should.equal('After the errors');
    });

    it('without a device, refuses every message with a plain error', async function () {
      const flow = h.flowFor(sim, {}).map((n) => (n.id === 'poll1' ? { ...n, device: '' } : n));
      await h.load(flow);
      const err = await h.pollOnce().then(
        () => should.fail('no error'),
        (e) => e,
      );
      err.msg.error.message.should.match(/no mediant-device config node is selected/);
      apiRequests(sim).should.eql([]);
    });

    for (const bad of ['0.001', 0.5, '-5', 'abc']) {
      it(`refuses pollInterval ${JSON.stringify(bad)} (0 or at least 1 s): red status, a log line, no timer; input still polls`, async function () {
        await h.load(h.flowFor(sim, { pollInterval: bad }));
        const node = helper.getNode('poll1');
        const shown = Object.getPrototypeOf(node).status.getCalls().filter((c) => c.thisValue === node).map((c) => c.args[0]);
        shown.should.containEql({ fill: 'red', shape: 'ring', text: 'bad pollInterval: timer off (see the log)' });
        const line = helper.log().args.map((a) => a[0]).find((l) => l.level === helper.log().ERROR && l.id === 'poll1');
        line.msg.should.equal(`property pollInterval must be 0 (no timer) or a number of seconds from 1 to 2147483, got ${JSON.stringify(bad)}`);
        await new Promise((r) => setTimeout(r, 1500)); // the first timer poll would come after 100 ms
        apiRequests(sim).should.eql([]);
        sim.control.raiseAlarm({ description: 'A' });
        (await h.pollOnce()).map((m) => m.event).should.eql(['raised']);
      });
    }

    it('refuses a bad configuration without polling', async function () {
      await h.load(h.flowFor(sim, { alarmType: 'cleared', pollInterval: 1 }));
      const err = await h.pollOnce().then(
        () => should.fail('no error'),
        (e) => e,
      );
      err.msg.error.message.should.equal('property alarmType must be one of active, history, got "cleared"');
      apiRequests(sim).should.eql([]);
    });
  });

  describe('state', function () {
    it('survives a redeploy (same node id) with Node-RED\'s default settings, which wipe node context on redeploy', async function () {
      sim.control.raiseAlarm({ description: 'A' });
      const flow = h.flowFor(sim, {});
      await h.load(flow);
      (await h.pollOnce()).length.should.equal(1);
      await helper.setFlows(flow, 'full', h.CREDENTIALS);
      sim.control.raiseAlarm({ description: 'B' });
      (await h.pollOnce()).map((m) => m.payload.description).should.eql(['B']);
    });

    it('survives a redeploy with a configured context store', async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-ctx-'));
      try {
        sim.control.raiseAlarm({ description: 'A' });
        const flow = h.flowFor(sim, {});
        await h.load(flow, dir);
        (await h.pollOnce()).length.should.equal(1);
        await helper.setFlows(flow, 'full', h.CREDENTIALS);
        helper.getNode('poll1').context().get('state').sync.alarms.length.should.equal(1);
        sim.control.raiseAlarm({ description: 'B' });
        (await h.pollOnce()).map((m) => m.payload.description).should.eql(['B']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('survives a restart of Node-RED with a localfilesystem context store', async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-ctx-'));
      try {
        const c = sim.control;
        c.raiseAlarm({ description: 'A' });
        c.raiseAlarm({ description: 'B' });
        await h.load(h.flowFor(sim, {}), dir);
        (await h.pollOnce()).length.should.equal(2);

        await h.restart();
        // the store's files hold the state (a few fields per alarm), nothing secret
        const files = fs.readdirSync(path.join(dir, 'context'), { recursive: true }).filter((f) => f.endsWith('.json'));
        const stored = files.map((f) => fs.readFileSync(path.join(dir, 'context', f), 'utf8')).join('\n');
        stored.should.match(/"version":\s*2/);
        noCredentials(stored);

        c.clearAlarm('1');
        c.raiseAlarm({ description: 'C' });
        (await h.pollOnce()).map((m) => `${m.event} ${m.payload.description}`).should.eql(['cleared A', 'raised C']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

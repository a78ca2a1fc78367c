'use strict';
// The per-device unit (AlarmWatch) against the simulator, with a store kept in
// memory that records what it was given: the outbox is stored before the
// events are delivered and marked done after; a crash at either point repeats
// the events with the same event ids and loses none; a store that fails never
// lets the engine run ahead; the state belongs to its device; the timer goes
// on whatever a delivery does.
require('should');
const { startSim } = require('../helpers/sim');
const { MediantClient } = require('../../client');
const { AlarmWatch } = require('../../client/alarm-watch');

function clientFor(sim) {
  return new MediantClient({ host: sim.host, port: sim.port, protocol: 'http', username: 'Admin', password: 'Admin', timeout: 5000 });
}

/** A store in memory; `ops` lists what happened, in order, with the deliveries. */
function memoryStore(initial) {
  const s = {
    value: initial === undefined ? undefined : JSON.parse(JSON.stringify(initial)),
    ops: [],
    failSaves: 0,
    async load() {
      s.ops.push('load');
      return s.value === undefined ? undefined : JSON.parse(JSON.stringify(s.value));
    },
    async save(v) {
      if (s.failSaves > 0) {
        s.failSaves--;
        s.ops.push('save failed');
        const { MediantError } = require('../../client');
        throw new MediantError('ERESPONSE', 'store alarm state', 'disk full');
      }
      s.value = JSON.parse(JSON.stringify(v));
      s.ops.push(v.outbox ? `save+outbox(${v.outbox.length})` : 'save');
    },
    /** What a crash right now would leave. */
    snapshot: () => (s.value === undefined ? undefined : JSON.parse(JSON.stringify(s.value))),
  };
  return s;
}

/** A watch with pollMs 0 (polls on request only); `poll()` resolves with the delivered events, or rejects. */
function watchOf(client, store, { alarmType = 'active', target = 'lab:443', onDeliver, api } = {}) {
  const delivered = [];
  const reports = [];
  const notices = [];
  let pendingSettle;
  const watch = new AlarmWatch({
    api: api || client,
    alarmType,
    target,
    store,
    pollMs: 0,
    hooks: {
      async deliver(batch) {
        if (onDeliver) await onDeliver(batch);
        for (const e of batch.events) delivered.push({ ...e, resent: batch.resent });
        store.ops.push(`deliver(${batch.events.length})`);
      },
      settle(_inputs, err) {
        const p = pendingSettle;
        pendingSettle = undefined;
        if (p) (err ? p.reject(err) : p.resolve());
      },
      status() {},
      report(err) {
        reports.push(err.message);
      },
      notice(key, subs) {
        notices.push({ key, ...subs });
      },
    },
  });
  watch.start();
  return {
    watch,
    delivered,
    reports,
    notices,
    poll() {
      const from = delivered.length;
      return new Promise((resolve, reject) => {
        pendingSettle = { resolve: () => resolve(delivered.slice(from)), reject };
        watch.request({});
      });
    },
    stop: () => watch.stop(),
  };
}

const lines = (events) => events.map((e) => `${e.event} ${e.alarm.id} ${e.alarm.description}`);

describe('alarms: AlarmWatch (one device: state, outbox, identity)', function () {
  let sim;
  let client;

  beforeEach(async function () {
    sim = await startSim({ bootTimeMs: 20 });
    client = clientFor(sim);
  });

  afterEach(async function () {
    await client.destroy();
    await sim.close();
  });

  it('stores the new state with the events before it delivers them, and marks them done after', async function () {
    sim.control.raiseAlarm({ description: 'Trunk is down' });
    const store = memoryStore();
    const w = watchOf(client, store);
    lines(await w.poll()).should.eql(['raised 1 Trunk is down']);
    store.ops.should.eql(['load', 'save+outbox(1)', 'deliver(1)', 'save']);
    (store.value.outbox === undefined).should.be.true();
    store.value.device.should.eql({ key: 'lab:443', target: 'lab:443' });
    // an idle poll stores nothing
    store.ops.length = 0;
    (await w.poll()).should.eql([]);
    store.ops.should.eql(['deliver(0)']);
    await w.stop();
  });

  it('every event has an id that is the same when the event is worked out again, and differs by kind', async function () {
    const c = sim.control;
    c.raiseAlarm({ description: 'Trunk is down' });
    const store = memoryStore();
    const a = watchOf(client, store);
    const [raised] = await a.poll();
    raised.eventId.should.match(/^[0-9a-f]{32}$/);
    await a.stop();

    // A second watch from nothing (another Node-RED, no state) works the same raise out again.
    const b = watchOf(client, memoryStore());
    const [again] = await b.poll();
    again.eventId.should.equal(raised.eventId);
    await b.stop();

    c.clearAlarm('1');
    const a2 = watchOf(client, store);
    const [cleared] = await a2.poll();
    cleared.event.should.equal('cleared');
    cleared.eventId.should.not.equal(raised.eventId);
    await a2.stop();

    // another device identity, another id
    const d = watchOf(client, memoryStore(), { target: 'other:443' });
    c.raiseAlarm({ description: 'Trunk is down' });
    const [other] = await d.poll();
    const e = watchOf(client, memoryStore());
    const [same] = await e.poll();
    other.eventId.should.not.equal(same.eventId);
    await d.stop();
    await e.stop();
  });

  it('a crash after the outbox was stored: the restart delivers those events again, same ids, then polls on', async function () {
    const c = sim.control;
    c.raiseAlarm({ description: 'A' });
    c.raiseAlarm({ description: 'B' });
    const store = memoryStore();
    let atCrash;
    const w = watchOf(client, store, {
      onDeliver: () => {
        atCrash = store.snapshot(); // what the store holds while the events are on their way
      },
    });
    const sent = await w.poll();
    await w.stop();
    atCrash.outbox.length.should.equal(2);

    c.clearAlarm('1');
    const restarted = watchOf(client, memoryStore(atCrash));
    const after = await restarted.poll();
    after.map((e) => `${e.resent ? 'again' : 'new'} ${e.event} ${e.alarm.description}`).should.eql(['again raised A', 'again raised B', 'new cleared A']);
    after.slice(0, 2).map((e) => e.eventId).should.eql(sent.map((e) => e.eventId));
    (await restarted.poll()).should.eql([]);
    await restarted.stop();
  });

  it('a crash before the state was stored: the restart works the same events out again, with the same ids', async function () {
    const c = sim.control;
    c.raiseAlarm({ description: 'A' });
    const store = memoryStore();
    const w = watchOf(client, store);
    await w.poll();
    const before = store.snapshot();
    c.raiseAlarm({ description: 'B' });
    const sent = await w.poll();
    await w.stop();

    const restarted = watchOf(client, memoryStore(before));
    const again = await restarted.poll();
    lines(again).should.eql(['raised 2 B']);
    again[0].eventId.should.equal(sent[0].eventId);
    again[0].resent.should.be.false();
    await restarted.stop();
  });

  it('a store that fails: nothing is delivered, and the next poll delivers it all from the stored state', async function () {
    const c = sim.control;
    const store = memoryStore();
    const w = watchOf(client, store);
    await w.poll();
    c.raiseAlarm({ description: 'A' });
    store.failSaves = 1;
    await w.poll().should.be.rejectedWith(/disk full/);
    w.delivered.should.eql([]);
    w.notices.map((n) => n.key).should.containEql('saveFailed');
    lines(await w.poll()).should.eql(['raised 1 A']);
    (await w.poll()).should.eql([]);
    await w.stop();
  });

  it('a state stored for another device is discarded with one notice and never reported as cleared', async function () {
    const c = sim.control;
    c.raiseAlarm({ description: 'On device one' });
    const store = memoryStore();
    const one = watchOf(client, store, { target: 'one:443' });
    await one.poll();
    await one.stop();

    c.clearAlarm('1');
    c.raiseAlarm({ description: 'On device two' });
    const two = watchOf(client, store, { target: 'two:443' });
    lines(await two.poll()).should.eql(['raised 2 On device two']);
    two.notices.should.eql([{ key: 'stateForeign', stored: 'one:443', now: 'two:443' }]);
    store.value.device.target.should.equal('two:443');
    await two.stop();
  });

  it('the device is known by its serial number where /status reports one: a new address keeps the state, a new device at the same address does not', async function () {
    const c = sim.control;
    let serial = '98517064501590';
    const withSerial = new Proxy(client, {
      get(target, prop) {
        if (prop === 'getStatus') return async (...a) => {
          const r = await target.getStatus(...a);
          return { ...r, body: { ...r.body, serialNumber: serial } };
        };
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    c.raiseAlarm({ description: 'A' });
    const store = memoryStore();
    const first = watchOf(client, store, { target: 'old-ip:443', api: withSerial });
    const [raised] = await first.poll();
    await first.stop();
    store.value.device.should.eql({ key: serial, target: 'old-ip:443', serial });

    // the same device at a new address: the state goes on, nothing reported again, same ids
    c.clearAlarm('1');
    const moved = watchOf(client, store, { target: 'new-ip:443', api: withSerial });
    const [cleared] = await moved.poll();
    cleared.event.should.equal('cleared');
    moved.notices.should.eql([]);
    await moved.stop();
    raised.eventId.should.match(/^[0-9a-f]{32}$/);

    // another device at that address
    c.raiseAlarm({ description: 'B' });
    serial = '277522263687112';
    const replaced = watchOf(client, store, { target: 'new-ip:443', api: withSerial });
    lines(await replaced.poll()).should.eql(['raised 2 B']);
    replaced.notices.map((n) => n.key).should.eql(['stateForeign']);
    await replaced.stop();
  });

  it('a state stored by the previous version (no device, version 1) is taken over', async function () {
    sim.control.raiseAlarm({ description: 'A' });
    const legacy = { version: 1, alarmType: 'active', alarms: [{ ...sim.control.state().activeAlarms[0] }] };
    const w = watchOf(client, memoryStore(legacy));
    (await w.poll()).should.eql([]);
    w.notices.should.eql([]);
    await w.stop();
  });

  it('a hook that throws on every poll is reported and never stops the timer', async function () {
    const reports = [];
    const watch = new AlarmWatch({
      api: client,
      alarmType: 'active',
      target: 'lab:443',
      store: memoryStore(),
      pollMs: 30,
      firstPollMs: 1,
      hooks: {
        async deliver() {},
        settle() {},
        status(st) {
          if (st.phase === 'ok') throw new Error('a status that cannot be shown');
        },
        report(err) {
          reports.push(err.message);
        },
        notice() {},
      },
    });
    watch.start();
    const lists = () => sim.control.log().filter((e) => e.path.startsWith('/api/v1/alarms/active')).length;
    for (let i = 0; i < 200 && lists() < 4; i++) await new Promise((r) => setTimeout(r, 25));
    await watch.stop();
    lists().should.be.aboveOrEqual(4);
    reports[0].should.match(/a status that cannot be shown/);
  });

  it('a delivery that throws is reported, counts as delivered, and the next poll runs', async function () {
    sim.control.raiseAlarm({ description: 'A' });
    const store = memoryStore();
    let throwOnce = true;
    const w = watchOf(client, store, {
      onDeliver: () => {
        if (throwOnce) {
          throwOnce = false;
          throw new Error('a flow could not take it');
        }
      },
    });
    await w.poll();
    w.reports.should.eql(['send alarm events failed: a flow could not take it']);
    (store.value.outbox === undefined).should.be.true();
    sim.control.raiseAlarm({ description: 'B' });
    lines(await w.poll()).should.eql(['raised 2 B']);
    await w.stop();
  });
});

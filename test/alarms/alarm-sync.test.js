'use strict';
// The alarm engine against the simulator: what each poll reports, what it
// costs in requests (read from the simulator's own log), and that a reboot of
// the device, a restart (a new engine from the stored state) or a failed poll
// neither loses nor repeats an event.
require('should');
const { startSim } = require('../helpers/sim');
const { MediantClient, MediantError } = require('../../client');
const { AlarmSync, usableState } = require('../../client/alarm-sync');

const BOOT_MS = 20;

function clientFor(sim) {
  return new MediantClient({ host: sim.host, port: sim.port, protocol: 'http', username: 'Admin', password: 'Admin', timeout: 5000 });
}

/** Requests under /api since the last clearLog, as `METHOD path`. */
function apiRequests(sim) {
  return sim.control
    .log()
    .filter((e) => e.path.startsWith('/api'))
    .map((e) => `${e.method} ${e.path}`);
}

const isDetail = (r) => /\/alarms\/(active|history)\/\d+$/.test(r);
const isList = (r) => /\/alarms\/(active|history)(\?.*)?$/.test(r);

/** `event id description` lines, in the order reported. */
function lines(events) {
  return events.map((e) => `${e.event} ${e.alarm.id} ${e.alarm.description}`);
}

/** Awaits a rejection: a MediantError of that code. */
async function rejects(promise, code) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  (err === undefined).should.be.false('the poll should have failed');
  err.should.be.instanceOf(MediantError);
  err.code.should.equal(code);
  return err;
}

/** The real client, with `getAlarm` run through `around(args, call)` (to watch or time the real reads). */
function withGetAlarm(client, around) {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'getAlarm') return (...args) => around(args, () => target.getAlarm(...args));
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('alarms: AlarmSync engine', function () {
  let sim;
  let client;

  beforeEach(async function () {
    sim = await startSim({ bootTimeMs: BOOT_MS });
    client = clientFor(sim);
  });

  afterEach(async function () {
    await client.destroy();
    await sim.close();
  });

  describe('active alarms', function () {
    it('reports what is there on the first poll, with the device details, and changes afterwards', async function () {
      const c = sim.control;
      const trunk = c.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Board#1' });
      c.raiseAlarm({ description: 'Fan failure', severity: 'Minor', source: 'Chassis#0/Fan#1' });
      const sync = new AlarmSync(client, 'active');

      const first = await sync.poll();
      first.first.should.be.true();
      lines(first.events).should.eql(['raised 1 Trunk is down', 'raised 2 Fan failure']);
      first.events[0].alarm.should.containEql({ severity: 'Major', source: 'Board#1', date: trunk.date, url: '/api/v1/alarms/active/1' });
      first.current.map((a) => a.id).should.eql(['1', '2']);

      c.clearAlarm('1');
      c.raiseAlarm({ description: 'Intrusion detected', severity: 'Critical' });
      const second = await sync.poll();
      second.first.should.be.false();
      lines(second.events).should.eql(['cleared 1 Trunk is down', 'raised 3 Intrusion detected']);
      // a clear carries the last details read, as the device no longer has them
      second.events[0].alarm.should.containEql({ severity: 'Major', source: 'Board#1', date: trunk.date });
      second.current.map((a) => a.description).should.eql(['Fan failure', 'Intrusion detected']);

      (await sync.poll()).events.should.eql([]);
    });

    it('an idle poll costs the list pages only: 45 alarms at 20 a page are 3 requests and no detail read', async function () {
      for (let i = 1; i <= 45; i++) sim.control.raiseAlarm({ description: `Alarm ${i}` });
      const sync = new AlarmSync(client, 'active', { pageLimit: 20 });
      const first = await sync.poll();
      first.events.length.should.equal(45);
      first.changed.should.be.true();

      sim.control.clearLog();
      const idle = await sync.poll();
      idle.events.should.eql([]);
      idle.current.length.should.equal(45);
      idle.count.should.equal(45);
      idle.changed.should.be.false(); // nothing for the node to store
      idle.state.should.eql(first.state);
      apiRequests(sim).should.eql([
        'GET /api/v1/alarms/active?limit=20',
        'GET /api/v1/alarms/active?limit=20&after=20',
        'GET /api/v1/alarms/active?limit=20&after=40',
      ]);
    });

    it('reads details only for alarms it has not seen, at most `concurrency` at a time', async function () {
      sim.control.raiseAlarm({ description: 'Old one' });
      const sync = new AlarmSync(client, 'active', { concurrency: 3 });
      await sync.poll();
      for (let i = 1; i <= 10; i++) sim.control.raiseAlarm({ description: `New ${i}` });

      // Count detail reads in flight, on the real client (slow answers make them overlap).
      let inFlight = 0;
      let most = 0;
      const counting = withGetAlarm(client, async (_args, call) => {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          return await call();
        } finally {
          inFlight--;
        }
      });
      sim.control.setFaults({ slowMs: 30 });
      sim.control.clearLog();
      const r = await new AlarmSync(counting, 'active', { concurrency: 3 }, sync.state).poll();
      sim.control.setFaults({ slowMs: 0 });
      r.events.length.should.equal(10);
      most.should.equal(3);
      // a restarted engine checks the one alarm it knew, and reads the 10 new ones
      apiRequests(sim).filter(isDetail).length.should.equal(11);
    });

    it('reads details at its default concurrency of 8, with no listener warning in the log, even at 16', async function () {
      for (let i = 1; i <= 40; i++) sim.control.raiseAlarm({ description: `Storm ${i}` });
      let inFlight = 0;
      let most = 0;
      const counting = withGetAlarm(client, async (_args, call) => {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          return await call();
        } finally {
          inFlight--;
        }
      });
      const warnings = [];
      const onWarning = (w) => warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      sim.control.setFaults({ slowMs: 30 });
      try {
        const r = await new AlarmSync(counting, 'active').poll();
        r.events.length.should.equal(40);
        most.should.equal(8);
        const other = clientFor(sim);
        try {
          (await new AlarmSync(other, 'active', { concurrency: 16 }).poll()).events.length.should.equal(40);
        } finally {
          await other.close();
        }
        // (warnings are emitted on the next tick)
        await new Promise((r) => setImmediate(r));
      } finally {
        sim.control.setFaults({ slowMs: 0 });
        process.removeListener('warning', onWarning);
      }
      warnings.filter((w) => /MaxListeners/.test(w)).should.eql([]);
    });

    it('with emitExisting false the first poll records what is there without reporting it', async function () {
      sim.control.raiseAlarm({ description: 'Already there' });
      const sync = new AlarmSync(client, 'active', { emitExisting: false });
      const first = await sync.poll();
      first.first.should.be.true();
      first.events.should.eql([]);
      first.current.length.should.equal(1);
      sim.control.raiseAlarm({ description: 'New' });
      sim.control.clearAlarm('1');
      lines((await sync.poll()).events).should.eql(['cleared 1 Already there', 'raised 2 New']);
    });

    it('after a reboot seen as a failed poll, a reused id with the same description is a new alarm', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'Trunk is down' });
      const sync = new AlarmSync(client, 'active');
      await sync.poll();

      c.reboot(); // clears the active alarms; ids start again from 1
      await rejects(sync.poll(), 'ENETWORK'); // the device is unreachable while it boots
      await c.waitUntilUp();
      const again = c.raiseAlarm({ description: 'Trunk is down' });
      again.id.should.equal('1');

      const r = await sync.poll();
      lines(r.events).should.eql(['cleared 1 Trunk is down', 'raised 1 Trunk is down']);
      r.events[1].alarm.date.should.equal(again.date);
      // the failed poll made this one compare details; the next is cheap again
      sim.control.clearLog();
      (await sync.poll()).events.should.eql([]);
      apiRequests(sim).filter(isDetail).should.eql([]);
    });

    it('a restarted engine (state from storage) compares details on its first poll, so a reboot it never saw is found', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'Trunk is down' });
      c.raiseAlarm({ description: 'Fan failure' });
      const before = new AlarmSync(client, 'active');
      await before.poll();
      const stored = JSON.parse(JSON.stringify(before.state));

      // While Node-RED was stopped, the device rebooted and raised the trunk alarm again.
      c.reboot();
      await c.waitUntilUp();
      c.raiseAlarm({ description: 'Trunk is down' });

      const after = new AlarmSync(client, 'active', {}, stored);
      after.resumed.should.be.true();
      const r = await after.poll();
      r.first.should.be.false();
      lines(r.events).should.eql(['cleared 1 Trunk is down', 'cleared 2 Fan failure', 'raised 1 Trunk is down']);
    });

    it('an id listed with another description is the old alarm cleared and a new one raised, without a detail check of the others', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'Trunk is down' });
      c.raiseAlarm({ description: 'Fan failure' });
      const sync = new AlarmSync(client, 'active');
      await sync.poll();
      c.reboot();
      await c.waitUntilUp();
      c.raiseAlarm({ description: 'Intrusion detected' }); // id 1 again
      c.raiseAlarm({ description: 'Fan failure' }); // id 2 again, same text: not detectable from the list
      sim.control.clearLog();
      const r = await sync.poll(); // no failed poll in between: this poll did not see the reboot
      lines(r.events).should.eql(['cleared 1 Trunk is down', 'raised 1 Intrusion detected']);
      apiRequests(sim).filter(isDetail).should.eql(['GET /api/v1/alarms/active/1']);
    });

    it('a poll that fails in a detail read changes nothing; the next reports everything once', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'A' });
      const sync = new AlarmSync(client, 'active');
      await sync.poll();
      const stateBefore = sync.state;
      c.raiseAlarm({ description: 'B' });
      c.raiseAlarm({ description: 'C' });
      c.clearAlarm('1');

      // The same client, but the device goes down just as the first detail is read.
      let reads = 0;
      const failing = withGetAlarm(client, (_args, call) => {
        reads++;
        c.setFaults({ down: true });
        return call();
      });
      const broken = new AlarmSync(failing, 'active', {}, stateBefore);
      await rejects(broken.poll(), 'ENETWORK');
      reads.should.be.above(0);
      broken.state.should.eql(stateBefore);
      c.setFaults({ down: false });

      const healed = new AlarmSync(client, 'active', {}, broken.state);
      lines((await healed.poll()).events).should.eql(['cleared 1 A', 'raised 2 B', 'raised 3 C']);
      (await healed.poll()).events.should.eql([]);
    });

    it('a failed list poll leaves the state as it was and the next poll reports the changes once', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'A' });
      const sync = new AlarmSync(client, 'active');
      await sync.poll();
      const stateBefore = sync.state;
      c.clearAlarm('1');
      c.raiseAlarm({ description: 'B' });
      c.setFaults({ down: true });
      await rejects(sync.poll(), 'ENETWORK');
      sync.state.should.eql(stateBefore);
      c.setFaults({ down: false });
      lines((await sync.poll()).events).should.eql(['cleared 1 A', 'raised 2 B']);
      (await sync.poll()).events.should.eql([]);
    });

    it('an alarm cleared between the list and its detail read is not reported; a known one is reported cleared', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'Known' });
      const sync = new AlarmSync(client, 'active');
      await sync.poll();
      c.raiseAlarm({ description: 'Brief' });
      // A restarted engine reads the known alarm's details too; both are cleared on the device
      // just before their detail read (the device answers 404).
      const racing = withGetAlarm(client, ([, id], call) => {
        c.clearAlarm(id);
        return call();
      });
      const r = await new AlarmSync(racing, 'active', {}, sync.state).poll();
      lines(r.events).should.eql(['cleared 1 Known']);
      r.current.should.eql([]);
    });

    it('refuses a second poll while one runs', async function () {
      sim.control.setFaults({ slowMs: 50 });
      const sync = new AlarmSync(client, 'active');
      const one = sync.poll();
      await rejects(sync.poll(), 'EBUSY');
      await one;
    });
  });

  describe('firmware 7.x', function () {
    it('an empty list answered 200 with a cursor and no "alarms" member is an empty list, not an error', async function () {
      const sim74 = await startSim({ firmware: '7.4', bootTimeMs: BOOT_MS });
      const c74 = clientFor(sim74);
      try {
        const sync = new AlarmSync(c74, 'active');
        (await sync.poll()).events.should.eql([]);
        const a = sim74.control.raiseAlarm({ description: 'Trunk is down' });
        lines((await sync.poll()).events).should.eql([`raised ${a.id} Trunk is down`]);
        sim74.control.clearAlarm(a.id);
        lines((await sync.poll()).events).should.eql([`cleared ${a.id} Trunk is down`]);
        (await sync.poll()).events.should.eql([]);
      } finally {
        await c74.destroy();
        await sim74.close();
      }
    });
  });

  describe('history', function () {
    it('reports every entry once, in order, and an idle poll costs two requests', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'Trunk is down', severity: 'Major' });
      c.clearAlarm('1');
      const sync = new AlarmSync(client, 'history');
      const first = await sync.poll();
      first.events.map((e) => `${e.event} ${e.alarm.id} ${e.alarm.description} ${e.alarm.severity}`).should.eql([
        'history 1 Trunk is down Major',
        'history 2 Trunk is down Cleared',
      ]);
      first.current.length.should.equal(2);
      first.events[0].alarm.url.should.equal('/api/v1/alarms/history/1');

      sim.control.clearLog();
      const idle = await sync.poll();
      idle.events.should.eql([]);
      idle.current.should.eql([]);
      apiRequests(sim).should.eql(['GET /api/v1/alarms/history/2', 'GET /api/v1/alarms/history?limit=100&after=2']);

      c.raiseAlarm({ description: 'Fan failure' });
      lines((await sync.poll()).events).should.eql(['history 3 Fan failure']);
    });

    it('the state stays one entry, however long the history', async function () {
      for (let i = 1; i <= 50; i++) sim.control.raiseAlarm({ description: `Alarm ${i}` });
      const sync = new AlarmSync(client, 'history', { pageLimit: 20 });
      (await sync.poll()).events.length.should.equal(50);
      const state = sync.state;
      state.should.have.properties({ version: 2, alarmType: 'history', boot: 0 });
      state.last.should.containEql({ id: '50', description: 'Alarm 50' });
      Object.keys(state).sort().should.eql(['alarmType', 'boot', 'last', 'version']);
    });

    it('with emitExisting false, the first poll reads only the newest entry and reports nothing', async function () {
      for (let i = 1; i <= 25; i++) sim.control.raiseAlarm({ description: `Alarm ${i}` });
      const sync = new AlarmSync(client, 'history', { emitExisting: false, pageLimit: 10 });
      sim.control.clearLog();
      const first = await sync.poll();
      first.events.should.eql([]);
      apiRequests(sim).filter(isDetail).should.eql(['GET /api/v1/alarms/history/25']);
      apiRequests(sim).filter(isList).length.should.equal(3);
      sim.control.raiseAlarm({ description: 'New' });
      lines((await sync.poll()).events).should.eql(['history 26 New']);
    });

    it('after a reboot the history is read from the start, even when the old last id exists again', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'Trunk is down' });
      c.raiseAlarm({ description: 'Fan failure' });
      const sync = new AlarmSync(client, 'history');
      (await sync.poll()).events.length.should.equal(2);

      c.reboot();
      await c.waitUntilUp();
      // ids 1 and 2 exist again, with the same texts but later dates
      c.raiseAlarm({ description: 'Trunk is down' });
      c.raiseAlarm({ description: 'Fan failure' });
      c.raiseAlarm({ description: 'Intrusion detected' });
      const r = await sync.poll();
      lines(r.events).should.eql(['history 1 Trunk is down', 'history 2 Fan failure', 'history 3 Intrusion detected']);
      (await sync.poll()).events.should.eql([]);
    });

    it('after a reboot with fewer entries than before (the last id is gone), the new entries are read from the start', async function () {
      const c = sim.control;
      for (let i = 1; i <= 4; i++) c.raiseAlarm({ description: `Before ${i}` });
      const sync = new AlarmSync(client, 'history');
      await sync.poll();
      c.reboot();
      await rejects(sync.poll(), 'ENETWORK');
      await c.waitUntilUp();
      c.raiseAlarm({ description: 'After 1' });
      lines((await sync.poll()).events).should.eql(['history 1 After 1']);
    });

    it('continues across a restart from the stored state without repeating', async function () {
      const c = sim.control;
      c.raiseAlarm({ description: 'One' });
      const before = new AlarmSync(client, 'history');
      await before.poll();
      c.raiseAlarm({ description: 'Two' });
      const after = new AlarmSync(client, 'history', {}, JSON.parse(JSON.stringify(before.state)));
      lines((await after.poll()).events).should.eql(['history 2 Two']);
    });
  });

  describe('stored state', function () {
    it('is taken over only when it is a state of a known version and this alarm type', function () {
      const details = { id: '1', description: 'A', severity: 'Major', source: 'B', date: 'D', url: 'u' };
      const active = { version: 2, alarmType: 'active', boot: 3, alarms: [details], boots: [2] };
      usableState(active, 'active').should.eql(active);
      (usableState(active, 'history') === undefined).should.be.true();
      (usableState({ ...active, version: 3 }, 'active') === undefined).should.be.true();
      (usableState({ ...active, boots: [] }, 'active') === undefined).should.be.true();
      (usableState({ ...active, alarms: [{ ...details, id: 'x' }] }, 'active') === undefined).should.be.true();
      (usableState('garbage', 'active') === undefined).should.be.true();
      // a state of version 1 (before epochs) is taken over with epoch 0; a numeric id becomes a string
      usableState({ version: 1, alarmType: 'active', alarms: [{ ...details, id: 1 }] }, 'active').should.eql({ version: 2, alarmType: 'active', boot: 0, alarms: [details], boots: [0] });
      usableState({ version: 1, alarmType: 'history', last: null }, 'history').should.eql({ version: 2, alarmType: 'history', boot: 0, last: null });
      new AlarmSync(client, 'active', {}, { version: 1, alarmType: 'history', last: null }).resumed.should.be.false();
    });

    it('what a poll returns cannot be changed by the caller', async function () {
      sim.control.raiseAlarm({ description: 'A' });
      const sync = new AlarmSync(client, 'active');
      const r = await sync.poll();
      r.events[0].alarm.description = 'changed by a flow';
      r.state.alarms[0].description = 'changed too';
      sync.state.alarms[0].description.should.equal('A');
      (await sync.poll()).events.should.eql([]);
    });
  });
});

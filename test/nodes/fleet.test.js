'use strict';
/**
 * One polling node over many devices (issue 11): mediant-alarms-poll,
 * mediant-pm-read and mediant-kpi with deviceFrom "all" or "group". Each
 * device has its own state and timer; every message carries msg.device; one
 * device down never stops the others; a device added or removed at a deploy
 * is picked up without the polling node being restarted; the status sums the
 * fleet up.
 */
const should = require('should');
const { helper, PASSWORD, SIM_USERS, assertNoSecret, logLines } = require('../helpers/mediant-flow');
const { startSim, resetSim } = require('../helpers/sim');

const MODULES = ['mediant-device', 'mediant-alarms-poll', 'mediant-pm-read', 'mediant-kpi'].map((t) => require(`../../nodes/${t}.js`));
const catchNode = require('@node-red/nodes/core/common/25-catch.js');

const CREDS = { username: 'Admin', password: PASSWORD };
const api = (sim) => sim.control.log().filter((e) => e.path.startsWith('/api'));

function device(id, name, sim, extra = {}) {
  return { id, type: 'mediant-device', name, host: '127.0.0.1', port: String(sim.port), protocol: 'http', tls: '', timeout: 2000, conflictRetry: 0, ...extra };
}

/** Resolves once `cond()` holds (checked every 20 ms); fails after 20 s, only so that a broken node fails the test. */
async function until(cond, what) {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within 20 s: ${what}`);
}

describe('one polling node over many devices (deviceFrom all / group)', function () {
  this.timeout(60000);
  const sims = [];
  const N = 4;

  before(async function () {
    // each its own serial number, as real devices have
    for (let i = 0; i < N; i++) sims.push(await startSim({ users: SIM_USERS, firmware: '7.4', serialNumber: `FLEET${i}` }));
    await helper.startServer();
  });
  after(async function () {
    await helper.stopServer();
    for (const s of sims) await s.close();
  });
  afterEach(async function () {
    await helper.unload();
    for (const s of sims) {
      await resetSim(s);
      s.control.clearAllAlarms();
      s.control.clearLog();
    }
  });

  /** Devices sbc-0..3 (sbc-0 and sbc-1 in group "core"), `nodes` wired to `out`, a Catch node to `caught`. */
  function flowWith(nodes, { devices = sims.map((s, i) => device(`dev${i}`, `sbc-${i}`, s, { group: i < 2 ? 'core' : '' })) } = {}) {
    return [
      { id: 'tab', type: 'tab', label: 'fleet' },
      ...devices,
      ...nodes.map((n) => ({ z: 'tab', wires: [['out']], ...n })),
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catch1', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ];
  }
  const credsFor = (flow) => Object.fromEntries(flow.filter((n) => n.type === 'mediant-device').map((n) => [n.id, CREDS]));
  async function load(flow) {
    await helper.load([...MODULES, catchNode], flow, credsFor(flow));
  }
  function collect(id) {
    const got = [];
    helper.getNode(id).on('input', (m) => got.push(m));
    return got;
  }
  function statuses(id) {
    const seen = [];
    helper.getNode(id).on('call:status', (c) => seen.push(c.args[0]));
    return seen;
  }

  describe('mediant-alarms-poll', function () {
    const POLL = { id: 'p1', type: 'mediant-alarms-poll', device: '', deviceFrom: 'all', alarmType: 'active', pollInterval: 0, emitExisting: true, output: 'events' };

    it('a message polls every device: each one\'s alarms once, with its msg.device and its own event ids', async function () {
      sims.forEach((s, i) => s.control.raiseAlarm({ description: `Trunk is down on ${i}`, severity: 'Major', source: 'Trunk#1' }));
      await load(flowWith([POLL]));
      const out = collect('out');
      const seen = statuses('p1');
      helper.getNode('p1').receive({ topic: 'now' });
      await until(() => out.length === N, `${N} raised events`);
      out.map((m) => m.device).sort().should.eql(['sbc-0', 'sbc-1', 'sbc-2', 'sbc-3']);
      for (const m of out) {
        m.event.should.equal('raised');
        m.topic.should.equal(`Major: Trunk is down on ${m.device.slice(4)}`);
        m.text.should.containEql(` on ${m.device}, raised `);
      }
      new Set(out.map((m) => m.eventId)).size.should.equal(N);
      // a second poll: nothing new anywhere
      helper.getNode('p1').receive({});
      await until(() => sims.every((s) => api(s).filter((e) => e.path.startsWith('/api/v1/alarms/active')).length >= 2), 'a second poll of every device');
      out.should.have.length(N);
      // a clear on one device: one cleared event, from it
      sims[2].control.clearAlarm(sims[2].control.state().activeAlarms[0].id);
      helper.getNode('p1').receive({});
      await until(() => out.length === N + 1, 'the clear');
      out[N].should.containDeep({ event: 'cleared', device: 'sbc-2' });
      await until(() => seen.some((s) => /^4 devices · 3 active · /.test(s.text || '')), 'the fleet status');
      assertNoSecret([out, seen, logLines()]);
    });

    it('msg.device names one device of the fleet: only it is polled; one outside the group is refused', async function () {
      sims.forEach((s) => s.control.raiseAlarm({ description: 'Fan failure', severity: 'Minor' }));
      await load(flowWith([{ ...POLL, deviceFrom: 'group', deviceGroup: 'core' }]));
      const out = collect('out');
      const caught = collect('caught');
      helper.getNode('p1').receive({ device: 'sbc-1' });
      await until(() => out.length === 1, 'sbc-1 polled');
      out[0].device.should.equal('sbc-1');
      helper.getNode('p1').receive({ device: 'sbc-3' });
      await until(() => caught.length === 1, 'the refusal');
      caught[0].error.message.should.equal('msg.device "sbc-3" is not one of this node\'s devices (group "core")');
      api(sims[0]).should.eql([]);
      api(sims[2]).should.eql([]);
      api(sims[3]).should.eql([]);
    });

    it('group: only the devices of that group are watched', async function () {
      await load(flowWith([{ ...POLL, deviceFrom: 'group', deviceGroup: 'core', pollInterval: 1 }]));
      await until(() => api(sims[0]).length > 0 && api(sims[1]).length > 0, 'both core devices polled');
      api(sims[2]).should.eql([]);
      api(sims[3]).should.eql([]);
    });

    it('one device down: it backs off and is reported once; the others go on polling on time', async function () {
      sims[1].control.setFaults({ down: true });
      await load(flowWith([{ ...POLL, pollInterval: 1 }]));
      const caught = collect('caught');
      const seen = statuses('p1');
      const polls = (s) => api(s).filter((e) => e.path.startsWith('/api/v1/alarms/active')).length;
      await until(() => [0, 2, 3].every((i) => polls(sims[i]) >= 4), 'four polls of each device that answers');
      caught.filter((m) => m.device === 'sbc-1').should.have.length(1);
      caught[0].error.message.should.match(/failed: (network|timeout)/);
      caught.filter((m) => m.device !== 'sbc-1').should.eql([]);
      await until(() => seen.some((s) => /^4 devices · 1 unreachable · 0 active · /.test(s.text || '') && s.fill === 'yellow'), 'the fleet status with one unreachable');
      // back up: polled again, and the status says so
      sims[1].control.setFaults({ down: false });
      await until(() => polls(sims[1]) > 0, 'the device polled again');
      await until(() => seen.slice(-1)[0] && /^4 devices · 0 active · /.test(seen.slice(-1)[0].text), 'the fleet status all answering');
    });

    it('the first polls are spread over the interval, not all at once', async function () {
      await load(flowWith([{ ...POLL, pollInterval: 2 }]));
      await until(() => sims.every((s) => api(s).length > 0), 'every device polled once');
      // in the order of the devices, one after the other (a quarter of the interval apart)
      const first = sims.map((s) => Date.parse(api(s)[0].time));
      for (let i = 1; i < N; i++) first[i].should.be.above(first[i - 1]);
    });

    it('devices added or removed at a deploy are picked up; the polling node itself is not restarted', async function () {
      const flow = flowWith([{ ...POLL, pollInterval: 1 }], { devices: [device('dev0', 'sbc-0', sims[0]), device('dev1', 'sbc-1', sims[1])] });
      await load(flow);
      const node = helper.getNode('p1');
      await until(() => api(sims[0]).length > 0 && api(sims[1]).length > 0, 'the two devices polled');
      // deploy "modified nodes": sbc-2 added, sbc-1 removed
      const next = flow.filter((n) => n.id !== 'dev1').concat(device('dev2', 'sbc-2', sims[2]));
      await helper.setFlows(next, 'nodes', credsFor(next));
      should(helper.getNode('p1')).equal(node);
      await until(() => api(sims[2]).length > 0, 'the new device polled');
      const atRemoval = api(sims[1]).length;
      const seen = statuses('p1');
      await until(() => api(sims[2]).filter((e) => e.path.startsWith('/api/v1/alarms/active')).length >= 3, 'three polls of the new device');
      api(sims[1]).length.should.equal(atRemoval);
      await until(() => seen.some((s) => /^2 devices · /.test(s.text || '')), 'the status counts two devices');
    });
  });

  describe('mediant-pm-read and mediant-kpi on a timer', function () {
    it('mediant-kpi reads every device on its own timer, each message with its msg.device; one down does not stop the others', async function () {
      sims[3].control.setFaults({ down: true });
      await load(flowWith([{ id: 'k1', type: 'mediant-kpi', device: '', deviceFrom: 'all', source: 'current', kpi: 'sbc/callStats/global', pollInterval: 1 }]));
      const out = collect('out');
      const caught = collect('caught');
      await until(() => [0, 1, 2].every((i) => out.filter((m) => m.device === `sbc-${i}`).length >= 3), 'three reads of each device that answers');
      for (const m of out) {
        m.topic.should.equal('sbc/callStats/global');
        m.kpi.should.equal('sbc/callStats/global');
        m.payload.should.be.an.Object();
      }
      out.filter((m) => m.device === 'sbc-3').should.eql([]);
      caught.filter((m) => m.device === 'sbc-3').length.should.be.above(0);
      caught.every((m) => m.device === 'sbc-3').should.be.true();
    });

    it('a message to a fleet node reads every device of its group, one message out per device', async function () {
      await load(flowWith([{ id: 'k1', type: 'mediant-kpi', device: '', deviceFrom: 'group', deviceGroup: 'core', source: 'current', kpi: 'sbc/callStats/global', pollInterval: 0 }]));
      const out = collect('out');
      helper.getNode('k1').receive({ topic: 'now', ticket: 'T1' });
      await until(() => out.length === 2, 'two reads');
      out.map((m) => m.device).sort().should.eql(['sbc-0', 'sbc-1']);
      out.every((m) => m.ticket === 'T1' && m.topic === 'now').should.be.true();
      api(sims[2]).should.eql([]);
    });

    it('mediant-pm-read over a group of 7.0 devices, on its timer', async function () {
      const old = [await startSim({ users: SIM_USERS, firmware: '7.0' }), await startSim({ users: SIM_USERS, firmware: '7.0' })];
      try {
        const devices = [device('o0', 'old-0', old[0], { group: 'old' }), device('o1', 'old-1', old[1], { group: 'old' }), device('dev0', 'sbc-0', sims[0])];
        await load(flowWith([{ id: 'r1', type: 'mediant-pm-read', device: '', deviceFrom: 'group', deviceGroup: 'old', pm: 'NetUtilKBytes', index: '0', interval: 0, pollInterval: 1 }], { devices }));
        const out = collect('out');
        await until(() => ['old-0', 'old-1'].every((d) => out.filter((m) => m.device === d).length >= 2), 'two reads of each device of the group');
        out.every((m) => m.topic === 'NetUtilKBytes' && m.statusCode === 200).should.be.true();
        api(sims[0]).should.eql([]);
      } finally {
        await helper.unload();
        for (const s of old) await s.close();
      }
    });
  });

  describe('msg.device into a node over a group, on each polling node', function () {
    // each node's properties, and the firmware its devices must play
    const FLEET_NODES = [
      { type: 'mediant-alarms-poll', props: { alarmType: 'active', emitExisting: true, output: 'events' }, firmware: '7.4' },
      { type: 'mediant-kpi', props: { source: 'current', kpi: 'sbc/callStats/global' }, firmware: '7.4' },
      { type: 'mediant-pm-read', props: { pm: 'NetUtilKBytes', index: '0', interval: 0 }, firmware: '7.0' },
    ];
    for (const spec of FLEET_NODES) {
      it(`${spec.type}: an unknown name and a device outside the group are refused with no request to any device; a member is read alone`, async function () {
        // sbc-0 and sbc-1 in group "core", sbc-2 outside it
        const own = spec.firmware === '7.4' ? sims.slice(0, 3) : [];
        for (let i = own.length; i < 3; i++) own.push(await startSim({ users: SIM_USERS, firmware: spec.firmware }));
        try {
          own.forEach((s) => s.control.raiseAlarm({ description: 'Fan failure', severity: 'Minor' }));
          own.forEach((s) => s.control.clearLog());
          const devices = own.map((s, i) => device(`dev${i}`, `sbc-${i}`, s, { group: i < 2 ? 'core' : '' }));
          await load(flowWith([{ id: 'f1', type: spec.type, device: '', deviceFrom: 'group', deviceGroup: 'core', pollInterval: 0, ...spec.props }], { devices }));
          const out = collect('out');
          const caught = collect('caught');
          helper.getNode('f1').receive({ device: 'sbc-zz' });
          await until(() => caught.length === 1, 'the refusal of an unknown name');
          caught[0].error.message.should.equal('msg.device "sbc-zz" names no running mediant-device (a device is named by its Name, or host:port where it has none)');
          helper.getNode('f1').receive({ device: 'sbc-2' });
          await until(() => caught.length === 2, 'the refusal of a device outside the group');
          caught[1].error.message.should.equal('msg.device "sbc-2" is not one of this node\'s devices (group "core")');
          for (const s of own) api(s).should.eql([]);
          helper.getNode('f1').receive({ device: 'sbc-1' });
          await until(() => out.length === 1, 'sbc-1 read');
          out[0].device.should.equal('sbc-1');
          api(own[1]).length.should.be.above(0);
          api(own[0]).should.eql([]);
          api(own[2]).should.eql([]);
          out.should.have.length(1);
          caught.should.have.length(2);
        } finally {
          await helper.unload();
          for (const s of own) if (!sims.includes(s)) await s.close();
        }
      });
    }
  });
});

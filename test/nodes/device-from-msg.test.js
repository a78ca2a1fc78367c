'use strict';
/**
 * deviceFrom "msg" on every flow node (issue 11): a message that came from
 * device B's alarm, sent into a node whose own device is A, acts on B and only
 * B (the two simulators' request logs say so); an unknown or ambiguous name is
 * refused before any request; a message can name a device but never give it
 * an address. The message is the real one: an alarm raised on simulator B,
 * reported by a mediant-alarms-poll node on device B.
 */
const should = require('should');
const { helper, PASSWORD, SIM_USERS, assertNoSecret, logLines } = require('../helpers/mediant-flow');
const { startSim, resetSim } = require('../helpers/sim');

const deviceNode = require('../../nodes/mediant-device.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const pollNode = require('../../nodes/mediant-alarms-poll.js');

const mod = (type) => require(`../../nodes/${type}.js`);

/**
 * Every flow node: its properties, what to add to the alarm's message so
 * that the call makes sense (a script, a file), and the API request it must
 * make on the chosen device.
 */
const NODES = [
  { type: 'mediant-status', request: 'GET /api/v1/status' },
  { type: 'mediant-reset', props: { saveConfiguration: false, gracefulTimeout: 0, waitForRestart: false }, request: 'POST /api/v1/actions/reset' },
  { type: 'mediant-save-config', request: 'POST /api/v1/actions/saveConfiguration' },
  { type: 'mediant-upload-file', props: { fileType: 'ini/incremental' }, msg: { payload: '[SYSTEM Params]\nSyslogServerIP = 10.1.2.3\n' }, request: 'PUT /api/v1/files/ini/incremental' },
  { type: 'mediant-download-file', props: { fileType: 'ini' }, request: 'GET /api/v1/files/ini' },
  { type: 'mediant-run-cli', props: { script: 'configure voip\nexit\n' }, msg: { payload: '' }, request: 'PUT /api/v1/files/cliScript/incremental' },
  // the alarm's own id: read on the device that raised it
  { type: 'mediant-alarms-poll', props: { alarmType: 'active', pollInterval: 0 }, msg: (alarm) => ({ alarmId: alarm.payload.id }), request: (alarm) => `GET /api/v1/alarms/active/${alarm.payload.id}` },
  { type: 'mediant-pm-read', props: { pm: '', index: '', interval: 0, pollInterval: 0 }, request: 'GET /api/v1/performanceMonitoring' },
  { type: 'mediant-license', props: { action: 'get' }, request: 'GET /api/v1/license' },
  { type: 'mediant-request', props: { method: 'GET', path: '/alarms' }, request: 'GET /api/v1/alarms' },
  // firmware 7.4's nodes, against simulators that play 7.4
  { type: 'mediant-kpi', firmware: '7.4', props: { source: 'current', kpi: 'sbc/callStats/global', pollInterval: 0 }, request: 'GET /api/v1/kpi/current/sbc/callStats/global' },
  { type: 'mediant-test-call', firmware: '7.4', props: { calledNumber: '+15550100', callingNumber: 'nodered-check', destIpGroup: '1', timeout: '5' }, request: 'POST /api/v1/sipTestCall/dial' },
];

const apiCalls = (sim) => sim.control.log().filter((e) => e.path.startsWith('/api')).map((e) => `${e.method} ${e.path.split('?')[0]}`);

function device(id, name, sim, extra = {}) {
  return { id, type: 'mediant-device', name, host: '127.0.0.1', port: String(sim.port), protocol: 'http', tls: '', timeout: 5000, conflictRetry: 0, ...extra };
}

describe('deviceFrom msg: the device a message names, on every flow node', function () {
  this.timeout(30000);
  /** Devices A and B for each firmware the nodes need (the PM node is 7.0's, the KPI and test call nodes 7.4's). */
  const sims = {};
  let simA;
  let simB;

  before(async function () {
    for (const firmware of ['7.0', '7.4']) sims[firmware] = [await startSim({ users: SIM_USERS, firmware }), await startSim({ users: SIM_USERS, firmware })];
    [simA, simB] = sims['7.0'];
    await helper.startServer();
  });
  after(async function () {
    await helper.stopServer();
    for (const pair of Object.values(sims)) for (const sim of pair) await sim.close();
  });
  afterEach(async function () {
    await helper.unload();
    for (const pair of Object.values(sims)) {
      for (const sim of pair) {
        await resetSim(sim);
        sim.control.clearAllAlarms();
        sim.control.clearLog();
      }
    }
  });

  /**
   * Devices A ("sbc-a") and B ("sbc-b"), an alarms node on B wired to
   * `alarms`, the node under test (own device A unless `props` says
   * otherwise) wired to `out`, and a Catch node wired to `caught`.
   */
  async function deploy(spec, props = {}, { devices = [] } = {}) {
    const flow = [
      { id: 'tab', type: 'tab', label: 'fleet' },
      device('devA', 'sbc-a', simA),
      device('devB', 'sbc-b', simB),
      ...devices,
      { id: 'pollB', z: 'tab', type: 'mediant-alarms-poll', device: 'devB', alarmType: 'active', pollInterval: 0, emitExisting: true, output: 'events', wires: [['alarms']] },
      { id: 'alarms', z: 'tab', type: 'helper' },
      { id: 'n1', z: 'tab', type: spec.type, name: '', device: 'devA', deviceFrom: 'msg', ...(spec.props || {}), ...props, wires: [['out']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catch1', z: 'tab', type: 'catch', scope: ['n1'], uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ];
    const credentials = {};
    for (const n of flow) if (n.type === 'mediant-device') credentials[n.id] = { username: 'Admin', password: PASSWORD };
    const modules = [...new Set([deviceNode, catchNode, pollNode, mod(spec.type)])];
    await helper.load(modules, flow, credentials);
  }

  /** Raise an alarm on B and resolve with the message B's alarms node sends for it. */
  async function alarmFromB() {
    simB.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
    const got = new Promise((resolve) => helper.getNode('alarms').once('input', resolve));
    helper.getNode('pollB').receive({});
    const msg = await got;
    should(msg.device).equal('sbc-b');
    should(msg.event).equal('raised');
    simA.control.clearLog();
    simB.control.clearLog();
    return msg;
  }

  /** Send msg into the node under test; resolves with { out } or { caught }. */
  function sendToNode(msg) {
    return new Promise((resolve, reject) => {
      const out = helper.getNode('out');
      const caught = helper.getNode('caught');
      const timer = setTimeout(() => reject(new Error('no message on the output or at the catch node')), 20000);
      const onOut = (m) => finish({ out: m });
      const onCaught = (m) => finish({ caught: m });
      function finish(r) {
        clearTimeout(timer);
        out.removeListener('input', onOut);
        caught.removeListener('input', onCaught);
        resolve(r);
      }
      out.on('input', onOut);
      caught.on('input', onCaught);
      helper.getNode('n1').receive(msg);
    });
  }

  const extra = (spec, alarm) => (typeof spec.msg === 'function' ? spec.msg(alarm) : spec.msg || {});
  const expected = (spec, alarm) => (typeof spec.request === 'function' ? spec.request(alarm) : spec.request);
  /** The alarm message as it arrives, plus what the node needs; without the poll node's own statusCode. */
  const messageFor = (spec, alarm, more = {}) => ({ ...alarm, statusCode: undefined, ...extra(spec, alarm), ...more });

  for (const spec of NODES) {
    describe(`${spec.type}${spec.firmware ? ` (firmware ${spec.firmware})` : ''}`, function () {
      beforeEach(function () {
        [simA, simB] = sims[spec.firmware || '7.0'];
      });
      afterEach(function () {
        [simA, simB] = sims['7.0'];
      });
      it("a message from device B's alarm acts on B and only B", async function () {
        await deploy(spec);
        const alarm = await alarmFromB();
        const r = await sendToNode(messageFor(spec, alarm));
        if (r.caught) throw new Error(`caught: ${r.caught.error.message}`);
        should(r.out.device).equal('sbc-b');
        should(r.out._msgid).equal(alarm._msgid);
        should(apiCalls(simB)).containEql(expected(spec, alarm));
        should(apiCalls(simA)).eql([]);
        assertNoSecret([r.out, logLines()]);
      });

      it('an unknown name is refused, naming it, with no request to any device', async function () {
        await deploy(spec);
        const alarm = await alarmFromB();
        const r = await sendToNode(messageFor(spec, alarm, { device: 'sbc-zz' }));
        should(r.out).be.undefined();
        should(r.caught.error.message).equal('msg.device "sbc-zz" names no running mediant-device (a device is named by its Name, or host:port where it has none)');
        should(apiCalls(simA)).eql([]);
        should(apiCalls(simB)).eql([]);
      });

      it('without msg.device, the node acts on its own device (the fallback)', async function () {
        await deploy(spec);
        const alarm = await alarmFromB();
        const msg = messageFor(spec, alarm);
        delete msg.device;
        const r = await sendToNode(msg);
        // (A has no alarm of that id: the alarms node's read there is A's 404, at Catch)
        should((r.out || r.caught).device).equal('sbc-a');
        should(apiCalls(simA)).containEql(expected(spec, alarm));
        should(apiCalls(simB)).eql([]);
      });
    });
  }

  describe('what a message may name', function () {
    const status = NODES[0];

    it('two devices with that name: refused as ambiguous, no request', async function () {
      await deploy(status, {}, { devices: [device('devB2', 'sbc-b', simA)] });
      const r = await sendToNode({ device: 'sbc-b' });
      should(r.caught.error.message).equal('msg.device "sbc-b" names 2 mediant-device nodes: give each device its own name');
      should(apiCalls(simA)).eql([]);
      should(apiCalls(simB)).eql([]);
    });

    it('an address, an object or a number is no name: refused, no request', async function () {
      await deploy(status);
      for (const named of [`127.0.0.1:${simB.port}`, { host: '127.0.0.1', port: simB.port }, 42, '']) {
        const r = await sendToNode({ device: named });
        if (!r.caught) throw new Error(`msg.device ${JSON.stringify(named)} was taken`);
        should(r.caught.error.message).match(/^msg\.device /);
      }
      should(apiCalls(simA)).eql([]);
      should(apiCalls(simB)).eql([]);
    });

    it('a device without a name is named by host:port', async function () {
      await deploy(status, {}, { devices: [device('devC', '', simB)] });
      const r = await sendToNode({ device: `127.0.0.1:${simB.port}` });
      should(r.out.device).equal(`127.0.0.1:${simB.port}`);
      should(apiCalls(simB)).eql(['GET /api/v1/status']);
      should(apiCalls(simA)).eql([]);
    });

    it('host, port and credentials in a message are never used', async function () {
      await deploy(status);
      const r = await sendToNode({ device: 'sbc-a', host: '127.0.0.1', port: simB.port, username: 'Admin', password: 'x', url: simB.url });
      should(r.out.device).equal('sbc-a');
      should(apiCalls(simA)).eql(['GET /api/v1/status']);
      should(apiCalls(simB)).eql([]);
    });

    it('with no fallback device, a message that names none is refused', async function () {
      await deploy(status, { device: '' });
      const r = await sendToNode({ topic: 'x' });
      should(r.caught.error.message).match(/^msg\.device must be the name of a configured mediant-device/);
      const ok = await sendToNode({ device: 'sbc-b' });
      should(ok.out.device).equal('sbc-b');
      should(apiCalls(simA)).eql([]);
    });

    it('deviceFrom "node" (and a node stored before deviceFrom existed) ignores msg.device', async function () {
      for (const props of [{ deviceFrom: 'node' }, { deviceFrom: undefined }]) {
        await deploy(status, props);
        const r = await sendToNode({ device: 'sbc-b' });
        should(r.out.device).equal('sbc-a');
        should(apiCalls(simB)).eql([]);
        await helper.unload();
        simA.control.clearLog();
      }
    });

    it('a deviceFrom the node does not know is refused, naming the property', async function () {
      await deploy(status, { deviceFrom: 'all' });
      const r = await sendToNode({ device: 'sbc-b' });
      should(r.caught.error.message).equal('property deviceFrom must be one of node, msg, got "all"');
      should(apiCalls(simB)).eql([]);
    });
  });

  describe('the reset claim, per device however it was chosen', function () {
    it('a reset of B by name is refused while a reset of B by its own node waits for B to come back', async function () {
      this.timeout(60000);
      const flow = [
        { id: 'tab', type: 'tab', label: 'claim' },
        device('devA', 'sbc-a', simA),
        device('devB', 'sbc-b', simB),
        // B reset through its own node, waiting until it is back
        { id: 'r1', z: 'tab', type: 'mediant-reset', device: 'devB', saveConfiguration: false, gracefulTimeout: 0, waitForRestart: true, restartTimeout: 60, wires: [['out1']] },
        { id: 'out1', z: 'tab', type: 'helper' },
        // a remediation chain's reset, device from msg, own device A
        { id: 'n1', z: 'tab', type: 'mediant-reset', device: 'devA', deviceFrom: 'msg', saveConfiguration: false, gracefulTimeout: 0, waitForRestart: false, wires: [['out']] },
        { id: 'out', z: 'tab', type: 'helper' },
        { id: 'catch1', z: 'tab', type: 'catch', scope: ['n1'], uncaught: false, wires: [['caught']] },
        { id: 'caught', z: 'tab', type: 'helper' },
      ];
      const boot = simB.control.state().bootCount;
      await helper.load([deviceNode, catchNode, mod('mediant-reset')], flow, { devA: { username: 'Admin', password: PASSWORD }, devB: { username: 'Admin', password: PASSWORD } });
      const back = new Promise((resolve) => helper.getNode('out1').once('input', resolve));
      helper.getNode('r1').receive({});
      // wait until B took the first reset (it reboots)
      for (let i = 0; i < 500 && simB.control.state().bootCount === boot; i++) await new Promise((res) => setTimeout(res, 10));
      should(simB.control.state().bootCount).equal(boot + 1);
      const r = await sendToNode({ device: 'sbc-b' });
      should(r.caught.error.message).equal('reset refused: a reset of sbc-b is already under way');
      // A is another device: its reset goes through meanwhile
      const a = await sendToNode({ device: 'sbc-a' });
      should(a.out.device).equal('sbc-a');
      await back;
      should(simB.control.log().filter((e) => e.path === '/api/v1/actions/reset')).have.length(1);
      // once the first reset is over, B can be reset by name
      const again = await sendToNode({ device: 'sbc-b' });
      should(again.out.device).equal('sbc-b');
    });
  });
});

'use strict';
// mediant-kpi against the simulator's firmware 7.4 profile (and the plain refusal of 7.0):
// KPI name -> number, tags and measurement for a chart, InfluxDB or Prometheus, current and
// history, node settings first, every value checked before a request, its own timer, and the
// dialog's tree picker with the Test connection safeguards.
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines, PASSWORD } = require('../helpers/mediant-flow');

const kpiNode = require('../../nodes/mediant-kpi.js');

function node(props = {}) {
  return { id: 'n1', type: 'mediant-kpi', name: '', source: 'current', kpi: 'sbc/callStats/global', interval: '', pollInterval: 0, ...props };
}

const MONITOR = { dev1: { username: 'Monitor', password: 'Monitor' } };
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const kpiRequests = (sim) => apiLog(sim).filter((e) => e.path.startsWith('/api/v1/kpi')).map((e) => `${e.method} ${e.path}`);

/** The next `count` messages arriving at helper node `id`. */
function collect(id, count, ms = 30000) {
  const seen = [];
  const n = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      n.removeListener('input', on);
      reject(new Error(`only ${seen.length} of ${count} messages at ${id} within ${ms} ms`));
    }, ms);
    function on(msg) {
      seen.push(msg);
      if (seen.length === count) {
        clearTimeout(timer);
        n.removeListener('input', on);
        resolve(seen);
      }
    }
    n.on('input', on);
  });
}

/** Every status node `id` has shown since it was made (the test helper spies on every node's status). */
function statusesOf(id) {
  const n = helper.getNode(id);
  return Object.getPrototypeOf(n).status.getCalls().filter((c) => c.thisValue === n).map((c) => c.args[0]);
}

describe('mediant-kpi node (firmware 7.4)', function () {
  const env = useSimulator({ firmware: '7.4' });

  it('reads an entity as KPI name -> number, with the path, the items, a measurement and tags, as a Monitor user', async function () {
    env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', 42);
    await load([kpiNode], flowFor(env.sim, [node()]), MONITOR);
    const r = await send('n1', { topic: 'mine', keep: 'yes' });
    should(r.caught).be.undefined();
    const m = r.out;
    m.statusCode.should.equal(200);
    m.payload.activeCallsIn.should.equal(42);
    Object.keys(m.payload).should.have.length(16);
    for (const v of Object.values(m.payload)) v.should.be.a.Number();
    m.kpi.should.equal('sbc/callStats/global');
    m.source.should.equal('current');
    m.items.should.have.length(16);
    m.items[0].should.containEql({ id: 'activeCallsIn', name: 'Active Calls In', value: 42 });
    m.measurement.should.equal('sbc_callStats');
    m.tags.should.eql({ device: `127.0.0.1:${env.sim.port}`, application: 'sbc', group: 'callStats', entity: 'global', source: 'current' });
    m.topic.should.equal('mine');
    m.keep.should.equal('yes');
    m.device.should.equal(`127.0.0.1:${env.sim.port}`);
    should(m.interval).be.undefined();
    // every page (the device's default page holds fewer than 16)
    kpiRequests(env.sim)[0].should.equal('GET /api/v1/kpi/current/sbc/callStats/global');
  });

  it('leaves out values that are null on the device, never NaN; an index goes into the tags', async function () {
    // IP group 3 (Lab) is idle: its ratios and averages are null
    env.sim.control.setKpiValue('sbc/callStats/ipGroup/3/activeCallsIn', 0);
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'sbc/callStats/ipGroup/3' })]));
    const r = await send('n1', {});
    const m = r.out;
    m.payload.activeCallsIn.should.equal(0);
    m.payload.should.not.have.property('answerSeizureRatio');
    m.payload.should.not.have.property('averageCallDuration');
    should(m.items.find((i) => i.id === 'answerSeizureRatio').value).be.null();
    for (const v of Object.values(m.payload)) Number.isFinite(v).should.be.true();
    m.tags.should.containEql({ entity: 'ipGroup', index: '3' });
  });

  it('reads one KPI: its name -> its number, the status shows it', async function () {
    env.sim.control.setKpiValue('sbc/callStats/ipGroup/1/activeCallsIn', 7);
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'sbc/callStats/ipGroup/1/activeCallsIn' })]));
    const status = recordStatus('n1');
    const r = await send('n1', {});
    r.out.payload.should.eql({ activeCallsIn: 7 });
    r.out.tags.should.containEql({ entity: 'ipGroup', index: '1' });
    await new Promise((resolve) => setImmediate(resolve));
    status.at(-1).fill.should.equal('green');
    status.at(-1).text.should.startWith('activeCallsIn = 7');
  });

  it('reads history: the newest completed interval by default, its text values as numbers', async function () {
    await load([kpiNode], flowFor(env.sim, [node({ source: 'history', kpi: 'system/memoryStats/global' })]));
    const r = await send('n1', {});
    const m = r.out;
    m.source.should.equal('history');
    m.interval.should.be.a.Number();
    m.items.every((i) => typeof i.value === 'string').should.be.true('the device sends history values as text');
    m.payload.memoryTotal.should.equal(8192);
    for (const v of Object.values(m.payload)) v.should.be.a.Number();
    m.tags.source.should.equal('history');
    const paths = kpiRequests(env.sim);
    paths.should.containEql(`GET /api/v1/kpi/history/system/memoryStats/global?interval=${m.interval}`);
    // an interval asked for by index, from msg.interval (the node leaves it empty)
    const older = m.interval - 1;
    const again = await send('n1', { interval: older });
    again.out.interval.should.equal(older);
    kpiRequests(env.sim).at(-1).should.equal(`GET /api/v1/kpi/history/system/memoryStats/global?interval=${older}`);
  });

  it('an interval the device does not keep is an empty read (204), not an error', async function () {
    await load([kpiNode], flowFor(env.sim, [node({ source: 'history', kpi: 'system/memoryStats/global', interval: '0' })]));
    const r = await send('n1', {});
    r.out.statusCode.should.equal(204);
    r.out.payload.should.eql({});
    r.out.items.should.eql([]);
  });

  it('takes msg.kpi, msg.source and msg.interval where the node leaves them empty', async function () {
    env.sim.control.setKpiValue('system/cpuStats/cpu/1/cpuUtilization', 64);
    await load([kpiNode], flowFor(env.sim, [node({ kpi: '', source: '' })]));
    let r = await send('n1', { kpi: 'system/cpuStats/cpu/1' });
    r.out.payload.cpuUtilization.should.equal(64);
    r.out.source.should.equal('current');
    r = await send('n1', { kpi: 'system/cpuStats/cpu/1', source: 'history', interval: 'last' });
    r.out.source.should.equal('history');
    r.out.interval.should.be.a.Number();
    should(logLines().filter((l) => l.level === helper.log().WARN && l.id === 'n1')).have.length(0);
  });

  it('the node\'s settings win over the message, with one warning per property in the log', async function () {
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'sbc/otherStats/global' })]));
    const r1 = await send('n1', { kpi: 'system/cpuStats/cpu/0', source: 'history' });
    const r2 = await send('n1', { kpi: 'system/cpuStats/cpu/0' });
    for (const r of [r1, r2]) {
      r.out.kpi.should.equal('sbc/otherStats/global');
      r.out.source.should.equal('current');
    }
    const warnings = logLines().filter((l) => l.level === helper.log().WARN && l.id === 'n1').map((l) => l.msg);
    warnings.should.eql([
      'msg.source is ignored: the node\'s own setting wins (leave it empty to take it from the message)',
      'msg.kpi is ignored: the node\'s own setting wins (leave it empty to take it from the message)',
    ]);
  });

  it('refuses a bad msg.kpi, msg.source or msg.interval, naming it, before any request', async function () {
    await load([kpiNode], flowFor(env.sim, [node({ kpi: '', source: '', interval: '' })]));
    const cases = [
      [{}, /^msg\.kpi must be a KPI path below current or history, such as "sbc\/callStats\/global" .*\(the node has no KPI path\), got nothing$/],
      [{ kpi: '../status' }, /^msg\.kpi must be a KPI path/],
      [{ kpi: 'sbc/callStats/global?x=1' }, /^msg\.kpi must be/],
      [{ kpi: 'current/sbc/callStats/global' }, /^msg\.kpi must be/],
      [{ kpi: 'sbc/callStats' }, /^msg\.kpi must be/],
      [{ kpi: 7 }, /^msg\.kpi must be .*, got 7$/],
      [{ kpi: 'sbc/callStats/global', source: 'now' }, /^msg\.source must be one of current, history, got "now"$/],
      [{ kpi: 'sbc/callStats/global', source: 'history', interval: -1 }, /^msg\.interval must be an interval index \(an integer >= 0\) or "last", got -1$/],
      [{ kpi: 'sbc/callStats/global', source: 'history', interval: 'all' }, /^msg\.interval must be/],
    ];
    for (const [msg, expected] of cases) {
      const r = await send('n1', msg);
      should(r.out).be.undefined();
      r.caught.error.message.should.match(expected);
    }
    apiLog(env.sim).should.have.length(0);
  });

  it('a path that lists entries, not values, is an error naming what is below it', async function () {
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'sbc/callStats/ipGroup' })]));
    const r = await send('n1', {});
    should(r.out).be.undefined();
    r.caught.error.message.should.equal('sbc/callStats/ipGroup lists 0, 1, 2, 3, not KPI values: add one of them to the path (e.g. an entity such as global, or an index)');
  });

  it('a path the device does not have reaches the Catch node with the device\'s status and words', async function () {
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'sbc/callStats/global/noSuchKpi' })]));
    const r = await send('n1', {});
    r.caught.statusCode.should.equal(404);
    r.caught.error.message.should.startWith('read current KPIs failed: 404 Not Found');
    r.caught.error.message.should.not.match(/mediant-pm-read/);
  });

  it('reads on its own timer, each read a fresh msg with the path as topic, never two at once', async function () {
    this.timeout(60000);
    env.sim.control.setKpiValue('sbc/otherStats/global/registeredUsers', 150);
    // each read takes longer than the poll interval: a setInterval would pile reads up
    env.sim.control.setFaults({ slowMs: 1200 });
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'sbc/otherStats/global', pollInterval: 1 })]));
    const client = helper.getNode('dev1').client;
    const real = client.getKpiCurrent.bind(client);
    let running = 0;
    let most = 0;
    client.getKpiCurrent = async (...args) => {
      running++;
      most = Math.max(most, running);
      try {
        return await real(...args);
      } finally {
        running--;
      }
    };
    const msgs = await collect('out', 3);
    for (const m of msgs) {
      m.topic.should.equal('sbc/otherStats/global');
      m.payload.registeredUsers.should.equal(150);
    }
    new Set(msgs.map((m) => m._msgid)).size.should.equal(3);
    most.should.equal(1);
  });

  it('stops reading when the flow is unloaded', async function () {
    this.timeout(60000);
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'system/memoryStats/global', pollInterval: 1 })]));
    await collect('out', 2);
    await helper.unload();
    const atUnload = apiLog(env.sim).length;
    await wait(2500);
    apiLog(env.sim).length.should.equal(atUnload);
  });

  it('sends errors of timer reads to the Catch node, and keeps polling', async function () {
    this.timeout(60000);
    await load([kpiNode], flowFor(env.sim, [node({ kpi: 'sbc/callStats/global/noSuchKpi', pollInterval: 1 })]));
    const caught = await collect('caught', 2);
    for (const m of caught) {
      m.topic.should.equal('sbc/callStats/global/noSuchKpi');
      m.statusCode.should.equal(404);
    }
  });

  it('keeps the timer off, with a red status and a log line, for a bad pollInterval or a timer with no KPI path', async function () {
    await load([kpiNode], flowFor(env.sim, [node({ pollInterval: '0.5' }), node({ id: 'n2', kpi: '', pollInterval: 1 })]));
    statusesOf('n1').should.containEql({ fill: 'red', shape: 'ring', text: 'bad pollInterval: timer off (see the log)' });
    statusesOf('n2').should.containEql({ fill: 'red', shape: 'ring', text: 'no KPI path: timer off' });
    const errors = logLines().filter((l) => l.level === helper.log().ERROR);
    errors.find((l) => l.id === 'n1').msg.should.startWith('property pollInterval must be 0 (no timer) or a whole number of seconds');
    errors.find((l) => l.id === 'n2').msg.should.startWith('property pollInterval: a timer read needs the node\'s own KPI path');
    await wait(1500);
    apiLog(env.sim).should.have.length(0);
    // both still read on input
    (await send('n1', {})).out.statusCode.should.equal(200);
    (await send('n2', { kpi: 'sbc/otherStats/global' })).out.statusCode.should.equal(200);
  });

  it('never shows the password or the Basic auth header in msgs, statuses or the log', async function () {
    await load([kpiNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const ok = await send('n1', {});
    const refused = await send('n1', { kpi: 'x' }); // ignored: the node has one
    await new Promise((resolve) => setImmediate(resolve));
    ok.out.should.be.ok();
    refused.out.should.be.ok();
    assertNoSecret([ok, refused, status, logLines()]);
  });

  describe('the dialog\'s KPI tree', function () {
    const ask = (body) => helper.request().post('/mediant-kpi/tree').send(body).expect(200).then((r) => r.body);
    const dialog = (more = {}) => ({ device: 'dev1', host: '127.0.0.1', port: String(env.sim.port), protocol: 'http', path: '', ...more });

    it('lists the deployed device\'s tree level by level, KPIs with their current values', async function () {
      env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', 31);
      await load([kpiNode], flowFor(env.sim, [node()]), MONITOR);
      const apps = await ask(dialog());
      apps.ok.should.be.true();
      apps.items.map((i) => i.id).should.eql(['system', 'sbc', 'media', 'gateway']);
      apps.items[1].should.containEql({ id: 'sbc', name: 'SBC' });
      should(apps.items[1].kpi).be.undefined();
      const entities = await ask(dialog({ path: 'sbc/callStats' }));
      entities.items.map((i) => i.id).should.eql(['global', 'ipGroup', 'srd']);
      const kpis = await ask(dialog({ path: 'sbc/callStats/global' }));
      kpis.path.should.equal('sbc/callStats/global');
      kpis.items.should.have.length(16);
      kpis.items[0].should.containEql({ id: 'activeCallsIn', kpi: true, value: 31 });
      // read from the current tree, with the deployed device's client
      kpiRequests(env.sim).should.containEql('GET /api/v1/kpi/current/sbc/callStats/global');
    });

    it('answers only for a deployed device whose dialog settings are the deployed ones', async function () {
      await load([kpiNode], flowFor(env.sim, [node()]));
      (await ask(dialog({ device: 'nope' }))).should.eql({ ok: false, error: 'the device is not deployed yet: deploy it first (the tree is read with the deployed device\'s user)' });
      for (const changed of [{ host: '127.0.0.2' }, { port: '1' }, { protocol: 'https' }]) {
        const r = await ask(dialog(changed));
        r.ok.should.be.false();
        r.error.should.startWith('the device\'s host, port or protocol changed since the last deploy: deploy first');
      }
      apiLog(env.sim).should.have.length(0);
    });

    it('refuses a path that would leave the KPI tree, before any request', async function () {
      await load([kpiNode], flowFor(env.sim, [node()]));
      for (const path of ['../status', 'sbc?x=1', 'current/sbc', 'a/b/c/d/e/f']) {
        const r = await ask(dialog({ path }));
        r.ok.should.be.false();
        r.error.should.match(/^path must be/);
      }
      apiLog(env.sim).should.have.length(0);
    });

    it('names a ${VAR} host, never its value, and never sends the password back', async function () {
      process.env.KPI_TEST_HOST = '127.0.0.1';
      const flow = flowFor(env.sim, [node()], { host: '127.0.0.1' });
      await load([kpiNode], flow);
      // the device does not answer: the error would name the address
      env.sim.control.setFaults({ down: true });
      const r = await ask(dialog({ host: '${KPI_TEST_HOST}' }));
      r.ok.should.be.false();
      r.error.should.containEql('${KPI_TEST_HOST}');
      r.error.should.not.containEql('127.0.0.1');
      JSON.stringify(r).should.not.containEql(PASSWORD);
    });

    it('on 7.4 a wrong user\'s refusal comes back in plain words, without the password', async function () {
      await load([kpiNode], flowFor(env.sim, [node()]), { dev1: { username: 'Admin', password: 'wrong-Pa55' } });
      const r = await ask(dialog());
      r.ok.should.be.false();
      r.error.should.startWith('list KPIs failed: 401');
      r.error.should.not.containEql('wrong-Pa55');
    });
  });
});

for (const firmware of ['7.0', '7.2']) describe(`mediant-kpi node (firmware ${firmware}: no /kpi)`, function () {
  const env = useSimulator({ firmware });

  it('a device without /kpi answers 404, and the error says to use mediant-pm-read', async function () {
    await load([kpiNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const r = await send('n1', { topic: 'old device' });
    should(r.out).be.undefined();
    r.caught.statusCode.should.equal(404);
    r.caught.topic.should.equal('old device');
    r.caught.error.message.should.match(/^read current KPIs failed: 404 Not Found.* — this device has no \/kpi \(firmware before 7\.4\): use a mediant-pm-read node$/);
    await new Promise((resolve) => setImmediate(resolve));
    status.at(-1).fill.should.equal('red');
    status.at(-1).text.should.startWith('404');
    // the root was asked to tell a missing API from a missing path
    kpiRequests(env.sim).should.eql(['GET /api/v1/kpi/current/sbc/callStats/global', 'GET /api/v1/kpi']);
  });
});

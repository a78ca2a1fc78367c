'use strict';
// The KPI tree of firmware 7.4 through the client: listings, current values,
// history of an interval, cursors followed, every parameter checked before a
// request; and the clean 404 of the firmware versions that have no /kpi.
const should = require('should');
const { kpiNumber, kpiValues } = require('../../client');
const { useSimClient, clientFor, failsWith, settledLog, MONITOR_PASSWORD } = require('./_common');

/** The /kpi requests the simulator logged, once the one for `last` is in (it logs as a connection side closes). */
const kpiPaths = async (sim, last) => (await settledLog(sim, last)).filter((e) => e.path.startsWith('/api/v1/kpi')).map((e) => e.path);

describe('client: KPI (/kpi, firmware 7.4)', function () {
  // one-day history intervals: no interval completes while a test reads them
  const env = useSimClient({ firmware: '7.4', kpiIntervalSeconds: 86400 });
  beforeEach(() => env.sim.control.clearLog());

  it('lists the tree level by level: scopes, applications (with their groups), groups, entities', async function () {
    const root = await env.client.listKpi();
    root.statusCode.should.equal(200);
    root.body.items.map((i) => i.id).should.eql(['current', 'history']);
    root.body.cursor.should.eql({ after: '-1', before: '-1', start: 'current', end: 'history' });
    const apps = await env.client.listKpi('current');
    apps.body.items.map((i) => i.id).should.eql(['system', 'sbc', 'media', 'gateway']);
    apps.body.items[1].groups.should.eql(['callStats', 'otherStats']);
    const entities = await env.client.listKpi('/current/sbc/callStats/');
    entities.body.items.map((i) => i.id).should.eql(['global', 'ipGroup', 'srd']);
    // a listing's own url is taken as it is
    const again = await env.client.listKpi(entities.body.items[1].url);
    again.body.items.map((i) => i.name).should.eql(['Teams', 'PSTN Trunk', 'PBX', 'Lab']);
    (await kpiPaths(env.sim, '/api/v1/kpi/current/sbc/callStats/ipGroup')).should.eql([
      '/api/v1/kpi',
      '/api/v1/kpi/current',
      '/api/v1/kpi/current/sbc/callStats',
      '/api/v1/kpi/current/sbc/callStats/ipGroup',
    ]);
  });

  it('follows the cursor page after page: ids are strings, the extra cursor keys kept as strings', async function () {
    const page = await env.client.listKpi('current/sbc/callStats/ipGroup', { limit: 2 });
    page.body.items.map((i) => i.id).should.eql(['0', '1']);
    page.body.cursor.should.eql({ after: '1', before: '-1', start: '0', end: '3' });
    const ids = [];
    for await (const it of env.client.iterateKpi('current/sbc/callStats/ipGroup', { limit: 2 })) ids.push(it.id);
    ids.should.eql(['0', '1', '2', '3']);
    (await kpiPaths(env.sim, '/api/v1/kpi/current/sbc/callStats/ipGroup?limit=2&after=1')).should.eql([
      '/api/v1/kpi/current/sbc/callStats/ipGroup?limit=2',
      '/api/v1/kpi/current/sbc/callStats/ipGroup?limit=2',
      '/api/v1/kpi/current/sbc/callStats/ipGroup?limit=2&after=1',
    ]);
  });

  it('reads an entity\'s current values through every page: numbers, a pinned value, null where nothing is measured', async function () {
    env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', 42);
    const r = await env.client.getKpiCurrent('sbc/callStats/global', { limit: 5 });
    r.statusCode.should.equal(200);
    r.body.length.should.equal(16);
    r.body[0].should.containEql({ id: 'activeCallsIn', name: 'Active Calls In', value: 42 });
    r.body.every((i) => typeof i.value === 'number').should.be.true();
    // 16 KPIs, 5 a page
    (await kpiPaths(env.sim, '/api/v1/kpi/current/sbc/callStats/global?limit=5&after=averageCallDuration')).should.have.length(4);
    const lab = await env.client.getKpiCurrent('sbc/callStats/ipGroup/3');
    should(lab.body.find((i) => i.id === 'answerSeizureRatio').value).be.null();
    const values = kpiValues(lab.body);
    should(values.answerSeizureRatio).be.null();
    values.activeCallsIn.should.equal(0);
  });

  it('reads one KPI, one index or one named KPI of an entity, with detailed=false', async function () {
    env.sim.control.setKpiValue('sbc/callStats/ipGroup/1/activeCallsIn', 7);
    const one = await env.client.getKpiCurrent('sbc/callStats/ipGroup/1/activeCallsIn');
    one.body.should.eql([{ id: 'activeCallsIn', value: 7 }]);
    const named = await env.client.getKpiCurrent('sbc/callStats/ipGroup/1', { kpi: 'activeCallsIn', detailed: false });
    named.body.should.eql([{ id: 'activeCallsIn', url: '/api/v1/kpi/current/sbc/callStats/ipGroup/1/activeCallsIn', value: 7 }]);
    const index = await env.client.getKpiCurrent('sbc/callStats/ipGroup', { id: 2 });
    index.body.map((i) => i.id).should.eql(['2']);
    (await kpiPaths(env.sim, '/api/v1/kpi/current/sbc/callStats/ipGroup?id=2')).should.eql([
      '/api/v1/kpi/current/sbc/callStats/ipGroup/1/activeCallsIn',
      '/api/v1/kpi/current/sbc/callStats/ipGroup/1?kpi=activeCallsIn&detailed=false',
      '/api/v1/kpi/current/sbc/callStats/ipGroup?id=2',
    ]);
  });

  it('reads the history of the last completed interval: string values read as numbers', async function () {
    const last = await env.client.getLastKpiInterval('sbc/callStats/global');
    last.body.should.be.a.Number();
    const h = await env.client.getKpiHistory('sbc/callStats/global', last.body);
    h.statusCode.should.equal(200);
    h.body.length.should.equal(16);
    h.body[0].value.should.be.a.String();
    const values = kpiValues(h.body);
    values.callAttemptsInTotal.should.be.a.Number().and.aboveOrEqual(0);
    // one KPI: `last` and `all` are the device's own
    const single = await env.client.getKpiHistory('sbc/callStats/global/activeCallsIn', 'last');
    single.body.should.have.length(1);
    single.body[0].should.containEql({ id: 'activeCallsIn', interval: String(last.body) });
    (await env.client.getLastKpiInterval('sbc/callStats/global/activeCallsIn')).body.should.equal(last.body);
    const all = await env.client.getKpiHistory('sbc/callStats/global/activeCallsIn', 'all');
    all.body.length.should.equal(12);
    all.body[0].interval.should.equal(String(last.body));
    Object.keys(kpiValues(all.body)).should.have.length(12);
  });

  it('an interval the device no longer keeps, and an entity with no index, are empty (204)', async function () {
    const gone = await env.client.getKpiHistory('sbc/callStats/global', 0);
    gone.statusCode.should.equal(204);
    gone.body.should.eql([]);
    should(await env.client.listKpi('current/gateway/trunkStats/trunk')).have.property('body', null);
    const none = await env.client.getKpiCurrent('gateway/trunkStats/trunk');
    none.statusCode.should.equal(204);
    none.body.should.eql([]);
  });

  it('a path the device does not know is its error, with its errorDescription', async function () {
    const err = await failsWith(env.client.getKpiCurrent('sbc/noSuchGroup/global'), 'EHTTP');
    err.statusCode.should.equal(400);
    err.message.should.equal('read current KPIs failed: 400 Bad Request: Invalid path');
    const notFound = await failsWith(env.client.getKpiCurrent('sbc/callStats/global/noSuchKpi'), 'EHTTP');
    notFound.message.should.equal('read current KPIs failed: 404 Not Found: Invalid path');
  });

  it('a Monitor (read-only) user reads KPIs', async function () {
    const monitor = clientFor(env.sim, { username: 'Monitor', password: MONITOR_PASSWORD });
    try {
      const r = await monitor.getKpiCurrent('system/cpuStats/cpu/0');
      r.body.map((i) => i.id).should.eql(['cpuUtilization', 'cpuUtilizationPeak']);
    } finally {
      await monitor.destroy();
    }
  });

  it('refuses every bad path and parameter before any request', async function () {
    const c = env.client;
    const cases = [
      [c.getKpiCurrent('../actions/reset'), 'kpi must be a KPI path such as "sbc/callStats/global": 1 to 5 names of letters, digits, _ and - joined by /, got "../actions/reset"'],
      [c.getKpiCurrent('sbc/callStats/global?x=1'), 'kpi must be'],
      [c.getKpiCurrent('sbc//global'), 'kpi must be'],
      [c.getKpiCurrent(''), 'kpi must be'],
      [c.getKpiCurrent('a/b/c/d/e/f'), 'kpi must be'],
      [c.getKpiCurrent('sbc/callStats/global', { kpi: 'a&b' }), 'kpi must be a KPI name'],
      [c.getKpiCurrent('sbc/callStats/ipGroup', { id: '1;2' }), 'id must be an integer >= 0'],
      [c.getKpiCurrent('sbc/callStats/global', { limit: 0 }), 'limit must be an integer from 1 to 1000'],
      [c.getKpiCurrent('sbc/callStats/global', { after: '%2e%2e' }), 'after must be a KPI name or id'],
      [c.getKpiCurrent('sbc/callStats/global', { detailed: 'no' }), 'detailed must be true or false'],
      [c.getKpiCurrent('sbc/callStats/global', { interval: 3 }), 'interval must be nothing for current values'],
      [c.getKpiHistory('sbc/callStats/global', 'yesterday'), 'interval must be an interval index'],
      [c.getKpiHistory('sbc/callStats/global', undefined), 'interval must be an interval index'],
      [c.listKpi('status'), 'path must be a KPI path starting with current or history'],
      [c.listKpi('current/sbc', { interval: 1 }), 'interval must be nothing for current values'],
      [c.listKpi('current', { after: 'a', before: 'b' }), 'before must be nothing when after is given'],
      [c.getLastKpiInterval('sbc/../x'), 'kpi must be'],
    ];
    for (const [p, text] of cases) {
      const err = await failsWith(p, 'EINPUT');
      err.message.should.startWith(text);
    }
    const iterated = [];
    await failsWith(
      (async () => {
        for await (const x of c.iterateKpi('current/../../status')) iterated.push(x);
      })(),
      'EINPUT',
    );
    iterated.should.eql([]);
    // nothing reached the device: a request that slipped through would be logged before this sentinel's
    await c.getStatus();
    (await settledLog(env.sim, '/api/v1/status')).map((e) => e.path).should.eql(['/api/v1/status']);
  });
});

describe('client: KPI on firmware without /kpi', function () {
  for (const firmware of ['7.0', '7.2']) {
    describe(`firmware ${firmware}`, function () {
      const env = useSimClient({ firmware });

      it('answers 404, an error that names the operation', async function () {
        const err = await failsWith(env.client.getKpiCurrent('sbc/callStats/global'), 'EHTTP');
        err.message.should.equal('read current KPIs failed: 404 Not Found');
        (await failsWith(env.client.listKpi(), 'EHTTP')).statusCode.should.equal(404);
      });
    });
  }
});

describe('client: kpiNumber', function () {
  it('reads numbers and decimal strings; anything else is null', function () {
    const cases = [
      [42, 42],
      [-1.5, -1.5],
      ['17', 17],
      [' 3.25 ', 3.25],
      ['1e3', 1000],
      [null, null],
      ['', null],
      ['12abc', null],
      ['0x10', null],
      [NaN, null],
      [Infinity, null],
      [{ valueOf: () => 1 }, null],
      [true, null],
    ];
    for (const [v, want] of cases) should(kpiNumber(v)).equal(want, String(v));
  });
});

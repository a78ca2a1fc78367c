'use strict';
// The 7.4 KPI API (/api/v1/kpi): the tree, listings and cursors, values, history, status codes.
const should = require('should');
const { simPerSuite, simPerTest, api, ctl, basic, jsonBody, until, FIRMWARES } = require('./_util');

const MONITOR = basic('Monitor', 'Monitor');
const K = '/api/v1/kpi';

/** GET as the read-only user: /kpi needs no more than Monitor on 7.4. */
const get = (sim, p) => api(sim, 'GET', p, { auth: MONITOR });

/** Every item of a listing, following `after` cursors `limit` at a time. */
async function all(sim, p, limit) {
  const items = [];
  let q = `limit=${limit}`;
  for (let pages = 0; pages < 100; pages++) {
    const r = await get(sim, `${p}${p.includes('?') ? '&' : '?'}${q}`);
    r.status.should.equal(200, p);
    items.push(...r.json.items);
    if (r.json.cursor.after === '-1') return items;
    q = `limit=${limit}&after=${encodeURIComponent(r.json.cursor.after)}`;
  }
  throw new Error('the cursor never ended');
}

describe('simulator: KPI (/api/v1/kpi, firmware 7.4)', function () {
  describe('reading', () => {
    const env = simPerSuite({ firmware: '7.4' });

    it('the tree: current and history; applications with their groups; groups; entities; elements', async () => {
      let r = await get(env.sim, K);
      r.status.should.equal(200);
      r.json.items.map((i) => i.url).should.deepEqual([`${K}/current`, `${K}/history`]);
      r = await get(env.sim, `${K}/current`);
      r.json.items.map((i) => i.id).should.deepEqual(['system', 'sbc', 'media', 'gateway']);
      for (const app of r.json.items) {
        app.should.have.properties(['name', 'description']);
        app.url.should.equal(`${K}/current/${app.id}`);
        app.groups.should.be.an.Array();
        const groups = (await get(env.sim, app.url)).json.items;
        groups.map((x) => x.id).should.deepEqual(app.groups);
      }
      (await get(env.sim, `${K}/history/sbc`)).json.items.map((x) => x.url).should.deepEqual([`${K}/history/sbc/callStats`, `${K}/history/sbc/otherStats`]);
      (await get(env.sim, `${K}/current/sbc/callStats`)).json.items.map((x) => x.id).should.deepEqual(['global', 'ipGroup', 'srd']);
      r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup`);
      r.json.items[1].should.deepEqual({ id: '1', name: 'PSTN Trunk', description: 'SIP trunk to the carrier', url: `${K}/current/sbc/callStats/ipGroup/1` });
      r.json.items.forEach((x) => x.id.should.be.a.String());
      (await get(env.sim, `${K}/current/sbc/callStats/srd`)).json.items.map((x) => x.name).should.deepEqual(['DefaultSRD', 'Teams SRD']);
      (await get(env.sim, `${K}/current/system/cpuStats/cpu`)).json.items.map((x) => x.id).should.deepEqual(['0', '1']);
    });

    it('entity values: SBC call statistics global, per IP group and per SRD; system CPU and memory; media', async () => {
      for (const p of ['sbc/callStats/global', 'sbc/callStats/ipGroup/0', 'sbc/callStats/srd/1', 'system/cpuStats/cpu/0', 'system/memoryStats/global', 'media/mediaStats/global', 'media/mediaStats/ipGroup/2', 'media/dspStats/global', 'sbc/otherStats/global']) {
        const items = await all(env.sim, `${K}/current/${p}`, 100);
        items.length.should.be.above(1, p);
        for (const it of items) {
          it.should.have.properties(['id', 'name', 'description', 'url', 'value']);
          it.url.should.equal(`${K}/current/${p}/${it.id}`);
          it.value.should.be.a.Number();
        }
      }
      const g = Object.fromEntries((await all(env.sim, `${K}/current/sbc/callStats/global`, 100)).map((i) => [i.id, i.value]));
      g.should.have.properties(['activeCallsIn', 'busyCallsInTotal', 'noAnswerCallsInTotal', 'abnormalTerminatedCallsInTotal', 'answerSeizureRatio', 'postDialDelay']);
      g.establishedCallsInTotal.should.be.belowOrEqual(g.callAttemptsInTotal);
      const mem = Object.fromEntries((await all(env.sim, `${K}/current/system/memoryStats/global`, 100)).map((i) => [i.id, i.value]));
      mem.memoryUtilization.should.be.within(0, 100);
      mem.memoryUsed.should.be.below(mem.memoryTotal);
    });

    it('an idle element reports null where there is nothing to measure, numbers elsewhere', async () => {
      const lab = Object.fromEntries((await all(env.sim, `${K}/current/sbc/callStats/ipGroup/3`, 100)).map((i) => [i.id, i.value]));
      should(lab.answerSeizureRatio).be.null();
      should(lab.postDialDelay).be.null();
      lab.activeCallsIn.should.equal(0);
      lab.callAttemptsInTotal.should.equal(0);
    });

    it('one KPI: {id, value}', async () => {
      const r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup/0/activeCallsIn`);
      r.status.should.equal(200);
      Object.keys(r.json).should.deepEqual(['id', 'value']);
      r.json.id.should.equal('activeCallsIn');
      r.json.value.should.be.a.Number();
      (await get(env.sim, `${K}/current/system/memoryStats/global/memoryTotal`)).json.should.deepEqual({ id: 'memoryTotal', value: 8192 });
    });

    it('?kpi=<name> and ?id=<index>: one item; ?detailed=false leaves out name and description', async () => {
      let r = await get(env.sim, `${K}/current/sbc/callStats/global?kpi=busyCallsInTotal`);
      r.json.items.length.should.equal(1);
      r.json.items[0].id.should.equal('busyCallsInTotal');
      r.json.items[0].should.have.properties(['name', 'description', 'value']);
      r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup?id=2`);
      r.json.items.should.deepEqual([{ id: '2', name: 'PBX', description: 'On-premises IP-PBX', url: `${K}/current/sbc/callStats/ipGroup/2` }]);
      r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup/1?detailed=false&limit=2`);
      r.json.items.forEach((i) => Object.keys(i).should.deepEqual(['id', 'url', 'value']));
      r = await get(env.sim, `${K}/current?detailed=false`);
      r.json.items.forEach((i) => i.should.not.have.properties(['name', 'description']));
    });

    it('cursors: start, before, after, end ("-1" = no more), as the vendor’s example', async () => {
      let r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup?limit=2`);
      r.json.items.map((i) => i.id).should.deepEqual(['0', '1']);
      r.json.cursor.should.deepEqual({ start: '0', before: '-1', after: '1', end: '3' });
      r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup?limit=2&after=1`);
      r.json.items.map((i) => i.id).should.deepEqual(['2', '3']);
      r.json.cursor.should.deepEqual({ start: '0', before: '2', after: '-1', end: '3' });
      r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup?limit=1&before=2`);
      r.json.items.map((i) => i.id).should.deepEqual(['1']);
      r.json.cursor.should.deepEqual({ start: '0', before: '1', after: '1', end: '3' });
      // names are cursors in a KPI listing (?after=postDialDelay in the vendor's page)
      r = await get(env.sim, `${K}/current/sbc/callStats/ipGroup/0?after=averageCallDuration`);
      r.json.items.map((i) => i.id).should.deepEqual(['postDialDelay']);
      r.json.cursor.should.have.properties({ start: 'activeCallsIn', after: '-1', end: 'postDialDelay' });
    });

    it('following the cursors a few at a time gives the same list as one page', async () => {
      for (const p of [`${K}/current/sbc/callStats/global`, `${K}/current/sbc/callStats/ipGroup`, `${K}/current`, `${K}/history/media/mediaStats`]) {
        const one = (await get(env.sim, `${p}?limit=100`)).json.items.map((i) => i.id);
        (await all(env.sim, p, 3)).map((i) => i.id).should.deepEqual(one, p);
        (await all(env.sim, p, 1)).map((i) => i.id).should.deepEqual(one, p);
      }
    });

    it('204 when there is nothing to discover: no trunk on this SBC, a page past the end, an index that is not there', async () => {
      for (const p of [`${K}/current/gateway/trunkStats/trunk`, `${K}/current/sbc/callStats/ipGroup?after=3`, `${K}/current/sbc/callStats/ipGroup?before=0`, `${K}/current/sbc/callStats/ipGroup?id=99`]) {
        const r = await get(env.sim, p);
        r.status.should.equal(204, p);
        r.text.should.equal('');
      }
    });

    it('400 for a bad query parameter or an invalid path in discovery; 404 for an invalid single-KPI path', async () => {
      for (const p of [
        `${K}/current/nothing`,
        `${K}/interval`,
        `${K}/interval/3/sbc`,
        `${K}/current/sbc/nothing`,
        `${K}/current/sbc/callStats/nothing`,
        `${K}/current/sbc/callStats/ipGroup/99`,
        `${K}/current/sbc/callStats/global?limit=0`,
        `${K}/current/sbc/callStats/global?limit=abc`,
        `${K}/current/sbc/callStats/global?after=nothing`,
        `${K}/current/sbc/callStats/global?after=activeCallsIn&before=postDialDelay`,
        `${K}/current/sbc/callStats/global?kpi=nothing`,
        `${K}/current/sbc/callStats/global?detailed=maybe`,
        `${K}/current/sbc/callStats/global?colour=red`,
        `${K}/current/sbc/callStats/global?interval=3`,
        `${K}/current/sbc/callStats/ipGroup?id=x`,
        `${K}/history/sbc/callStats/global`,
        `${K}/history/sbc/callStats/global?interval=soon`,
      ]) {
        const r = await get(env.sim, p);
        r.status.should.equal(400, p);
        r.json.errorDescription.should.be.a.String();
      }
      for (const p of [`${K}/current/sbc/callStats/global/nothing`, `${K}/current/sbc/callStats/ipGroup/0/nothing`, `${K}/current/sbc/callStats/ipGroup/99/activeCallsIn`, `${K}/current/sbc/callStats/global/activeCallsIn/more`]) {
        (await get(env.sim, p)).status.should.equal(404, p);
      }
      (await get(env.sim, `${K}/current/sbc/callStats/global/activeCallsIn?interval=last`)).status.should.equal(400);
    });

    it('history: interval=all lists the kept intervals newest first, values as strings; a number or "last" reads one', async () => {
      const p = `${K}/history/sbc/callStats/ipGroup/1/callAttemptsInTotal`;
      const all_ = await get(env.sim, `${p}?interval=all`);
      all_.status.should.equal(200);
      const list = all_.json.items;
      list.length.should.be.above(1);
      for (const x of list) {
        Object.keys(x).should.deepEqual(['interval', 'value']);
        x.interval.should.match(/^[0-9]+$/);
        x.value.should.match(/^[0-9]+$/);
      }
      list.map((x) => Number(x.interval)).should.deepEqual(list.map((x) => Number(x.interval)).sort((a, b) => b - a));
      const last = (await get(env.sim, `${p}?interval=last`)).json;
      last.should.deepEqual({ id: 'callAttemptsInTotal', interval: list[0].interval, value: list[0].value });
      (await get(env.sim, `${p}?interval=${list[2].interval}`)).json.value.should.equal(list[2].value);
      // an entity read names its interval
      const ent = await get(env.sim, `${K}/history/sbc/callStats/ipGroup/1?interval=${list[0].interval}&kpi=callAttemptsInTotal`);
      ent.json.items[0].value.should.equal(list[0].value);
      // an interval not (or no longer) kept: nothing to display
      const newest = Number(list[0].interval);
      const oldest = Number(list[list.length - 1].interval);
      for (const i of [newest + 1, oldest - 1]) {
        (await get(env.sim, `${p}?interval=${i}`)).status.should.equal(204);
        (await get(env.sim, `${K}/history/sbc/callStats/ipGroup/1?interval=${i}`)).status.should.equal(204);
      }
    });

    it('values stay put outside scenario mode', async () => {
      const a = await get(env.sim, `${K}/current/sbc/callStats/global?limit=100`);
      await new Promise((r) => setTimeout(r, 50));
      (await get(env.sim, `${K}/current/sbc/callStats/global?limit=100`)).json.should.deepEqual(a.json);
    });

    it('GET only (405 with errorDescription); the privilege is Monitor', async () => {
      const r = await api(env.sim, 'PUT', `${K}/current/sbc/callStats/global`, jsonBody({}));
      r.status.should.equal(405);
      r.headers.allow.should.equal('GET');
      r.json.should.have.property('errorDescription');
      (await api(env.sim, 'GET', `${K}/current`, { auth: basic('Monitor', 'wrong') })).status.should.equal(401);
    });
  });

  describe('steering and moving', () => {
    const env = simPerTest({ firmware: '7.4' });

    it('setKpiValue pins a current value (and null), over the control API too; clearKpiValues unpins', async () => {
      const p = `${K}/current/sbc/callStats/ipGroup/1/activeCallsIn`;
      const before = (await get(env.sim, p)).json.value;
      env.sim.control.setKpiValue('sbc/callStats/ipGroup/1/activeCallsIn', 4242);
      (await get(env.sim, p)).json.value.should.equal(4242);
      (await get(env.sim, `${K}/current/sbc/callStats/ipGroup/1?kpi=activeCallsIn`)).json.items[0].value.should.equal(4242);
      (await get(env.sim, `${K}/current/sbc/callStats/ipGroup/0/activeCallsIn`)).json.value.should.not.equal(4242);
      (await ctl(env.sim, 'POST', '/kpi', { path: 'system/cpuStats/cpu/1/cpuUtilization', value: null })).status.should.equal(200);
      should((await get(env.sim, `${K}/current/system/cpuStats/cpu/1/cpuUtilization`)).json.value).be.null();
      (await ctl(env.sim, 'DELETE', '/kpi')).status.should.equal(200);
      (await get(env.sim, p)).json.value.should.equal(before);
      should((await get(env.sim, `${K}/current/system/cpuStats/cpu/1/cpuUtilization`)).json.value).be.a.Number();
    });

    it('setKpiValue refuses a path that is not a KPI, and a value that is not a number', async () => {
      for (const p of ['sbc/callStats/global', 'sbc/callStats/ipGroup/9/activeCallsIn', 'nothing', 'current/sbc/callStats/global/activeCallsIn']) {
        (() => env.sim.control.setKpiValue(p, 1)).should.throw(TypeError);
      }
      (() => env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', '5')).should.throw(TypeError);
      (() => env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', Infinity)).should.throw(TypeError);
      (await ctl(env.sim, 'POST', '/kpi', { path: 'sbc/nothing', value: 1 })).status.should.equal(400);
    });
  });

  describe('scenario mode', () => {
    const env = simPerTest({ firmware: '7.4', scenario: { periodMs: 60000 } });

    it('values move: counters grow (never back), gauges swing', async () => {
      const read = async () => Object.fromEntries((await all(env.sim, `${K}/current/sbc/callStats/global`, 100)).map((i) => [i.id, i.value]));
      const first = await read();
      let later;
      await until(async () => {
        later = await read();
        return later.callAttemptsInTotal > first.callAttemptsInTotal;
      }, 100);
      for (const k of Object.keys(first).filter((k) => k.endsWith('Total'))) later[k].should.be.aboveOrEqual(first[k], k);
      const gauge = async () => (await get(env.sim, `${K}/current/system/cpuStats/cpu/0/cpuUtilization`)).json.value;
      const g0 = await gauge();
      await until(async () => (await gauge()) !== g0, 200);
    });
  });

  describe('intervals roll over', () => {
    const env = simPerTest({ firmware: '7.4', kpiIntervalSeconds: 1 });

    it('a new interval is kept when one ends, the oldest goes', async () => {
      const p = `${K}/history/sbc/callStats/global/busyCallsInTotal?interval=all`;
      const first = (await get(env.sim, p)).json.items.map((x) => x.interval);
      let now;
      await until(async () => {
        now = (await get(env.sim, p)).json.items.map((x) => x.interval);
        return now[0] !== first[0];
      }, 100);
      Number(now[0]).should.be.above(Number(first[0]));
      now.length.should.equal(first.length);
    });
  });

  for (const fw of FIRMWARES.filter((f) => f !== '7.4')) {
    describe(`firmware ${fw}`, () => {
      const env = simPerSuite({ firmware: fw });

      it('has no /kpi: 404, and the control API says so', async () => {
        (await api(env.sim, 'GET', `${K}/current/sbc/callStats/global`)).status.should.equal(404);
        (() => env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', 1)).should.throw(/has no KPI API/);
        (await ctl(env.sim, 'POST', '/kpi', { path: 'sbc/callStats/global/activeCallsIn', value: 1 })).status.should.equal(400);
      });
    });
  }
});

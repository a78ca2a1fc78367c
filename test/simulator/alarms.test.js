'use strict';
require('should');
const { startSim } = require('../helpers/sim');
const { simPerTest, api, jsonBody, octet } = require('./_util');

describe('simulator: alarms', function () {
  const env = simPerTest();

  const raise = (n, prefix = 'Alarm') => {
    for (let i = 1; i <= n; i++) env.sim.control.raiseAlarm({ description: `${prefix} ${i}`, severity: 'Minor', source: `Board#${i}` });
  };

  it('204 with no body when there are no alarms', async () => {
    const r = await api(env.sim, 'GET', '/api/v1/alarms/active');
    r.status.should.equal(204);
    r.text.should.equal('');
    (await api(env.sim, 'GET', '/api/v1/alarms/history')).status.should.equal(204);
  });

  it('pages with the documented cursors: ids, "-1" at the ends, 204 past the end', async () => {
    raise(3);
    let r = await api(env.sim, 'GET', '/api/v1/alarms/active?limit=2');
    r.status.should.equal(200);
    r.json.should.deepEqual({
      alarms: [
        { id: '1', description: 'Alarm 1', url: '/api/v1/alarms/active/1' },
        { id: '2', description: 'Alarm 2', url: '/api/v1/alarms/active/2' },
      ],
      cursor: { after: '2', before: '-1' },
    });
    r = await api(env.sim, 'GET', '/api/v1/alarms/active?after=2');
    r.json.should.deepEqual({ alarms: [{ id: '3', description: 'Alarm 3', url: '/api/v1/alarms/active/3' }], cursor: { after: '-1', before: '3' } });
    r = await api(env.sim, 'GET', '/api/v1/alarms/active?after=3');
    r.status.should.equal(204);
    // backwards
    r = await api(env.sim, 'GET', '/api/v1/alarms/active?before=3&limit=1');
    r.json.alarms.map((a) => a.id).should.deepEqual(['2']);
    r.json.cursor.should.deepEqual({ after: '2', before: '2' });
    r = await api(env.sim, 'GET', '/api/v1/alarms/active?before=1');
    r.status.should.equal(204);
  });

  it('limit defaults to 20 and is clamped to 100 (the device may return fewer)', async () => {
    raise(150);
    let r = await api(env.sim, 'GET', '/api/v1/alarms/active');
    r.json.alarms.length.should.equal(20);
    r.json.cursor.after.should.equal('20');
    r = await api(env.sim, 'GET', '/api/v1/alarms/active?limit=1000');
    r.json.alarms.length.should.equal(100);
  });

  it('400 for a bad limit or cursor', async () => {
    raise(1);
    for (const q of ['limit=0', 'limit=-1', 'limit=abc', 'limit=1.5', 'after=x', 'after=-1', 'before=1e3', 'after=1&before=2', 'after=../actions']) {
      const r = await api(env.sim, 'GET', `/api/v1/alarms/active?${q}`);
      r.status.should.equal(400, q);
      r.json.description.should.be.a.String();
    }
  });

  it('alarm details: 200 with the documented fields, 404 for unknown or malformed ids', async () => {
    env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Board#1' });
    const r = await api(env.sim, 'GET', '/api/v1/alarms/active/1');
    r.status.should.equal(200);
    r.json.should.have.properties({ id: '1', description: 'Trunk is down', severity: 'Major', source: 'Board#1', url: '/api/v1/alarms/active/1' });
    new Date(r.json.date).toISOString().should.equal(r.json.date);
    (await api(env.sim, 'GET', '/api/v1/alarms/active/2')).status.should.equal(404);
    (await api(env.sim, 'GET', '/api/v1/alarms/active/abc')).status.should.equal(404);
    (await api(env.sim, 'GET', '/api/v1/alarms/history/99')).status.should.equal(404);
  });

  it('history records every raise and clear with its own ids; urls point at /alarms/history', async () => {
    const a = env.sim.control.raiseAlarm({ description: 'Trunk is down', source: 'Trunk#1' });
    env.sim.control.raiseAlarm({ description: 'High CPU utilization' });
    env.sim.control.clearAlarm(a.id).should.be.true();
    env.sim.control.clearAlarm(a.id).should.be.false();
    const r = await api(env.sim, 'GET', '/api/v1/alarms/history');
    r.json.alarms.should.deepEqual([
      { id: '1', description: 'Trunk is down', url: '/api/v1/alarms/history/1' },
      { id: '2', description: 'High CPU utilization', url: '/api/v1/alarms/history/2' },
      { id: '3', description: 'Trunk is down', url: '/api/v1/alarms/history/3' },
    ]);
    (await api(env.sim, 'GET', '/api/v1/alarms/history/3')).json.should.have.properties({ severity: 'Cleared', source: 'Trunk#1' });
    (await api(env.sim, 'GET', '/api/v1/alarms/history/1')).json.severity.should.equal('Major');
    // the active list now has only alarm 2
    (await api(env.sim, 'GET', '/api/v1/alarms/active')).json.alarms.map((x) => x.id).should.deepEqual(['2']);
  });

  it('a reboot empties history, clears active alarms (recorded with the old bootCount) and restarts ids from 1', async () => {
    raise(2);
    const before = env.sim.control.state().bootCount;
    env.sim.control.reboot();
    await env.sim.control.waitUntilUp();
    const st = env.sim.control.state();
    st.bootCount.should.equal(before + 1);
    st.activeAlarms.should.be.empty();
    st.historyAlarms.should.be.empty();
    st.alarmEvents
      .filter((e) => e.event === 'cleared')
      .map((e) => [e.alarm.id, e.bootCount])
      .should.deepEqual([
        ['1', before],
        ['2', before],
      ]);
    (await api(env.sim, 'GET', '/api/v1/alarms/history')).status.should.equal(204);
    env.sim.control.raiseAlarm({ description: 'After boot' }).id.should.equal('1');
    (await api(env.sim, 'GET', '/api/v1/alarms/active/1')).json.description.should.equal('After boot');
  });

  it('an incremental CLI script containing an alarm\'s clearedByCli line clears it', async () => {
    const t = env.sim.control.raiseAlarm({ description: 'Trunk is down', source: 'Trunk#1', clearedByCli: 'no shutdown' });
    env.sim.control.raiseAlarm({ description: 'Other' });
    // a script without the line clears nothing
    let r = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('configure voip\n trunk 1\n  line-code hdb3\n exit\nexit\n'));
    r.status.should.equal(200);
    env.sim.control.state().activeAlarms.length.should.equal(2);
    r = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('configure voip\n trunk 1\n  no   shutdown\n exit\nexit\n'));
    r.status.should.equal(200);
    env.sim.control.state().activeAlarms.map((a) => a.description).should.deepEqual(['Other']);
    (await api(env.sim, 'GET', `/api/v1/alarms/active/${t.id}`)).status.should.equal(404);
    // a bad script clears nothing
    env.sim.control.raiseAlarm({ description: 'Trunk is down', clearedByCli: 'no shutdown' });
    r = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('configure voip\n trunk 1\n  no shutdown\n  show nonsense\n'));
    r.status.should.equal(400);
    env.sim.control.state().activeAlarms.length.should.equal(2);
  });

  it('pages through 10,000 active alarms by cursor, forwards and backwards, every id once', async () => {
    raise(10000, 'Load');
    const seen = [];
    let after;
    for (;;) {
      const r = await api(env.sim, 'GET', `/api/v1/alarms/active?limit=100${after ? `&after=${after}` : ''}`);
      if (r.status === 204) break;
      seen.push(...r.json.alarms.map((a) => Number(a.id)));
      if (r.json.cursor.after === '-1') break;
      after = r.json.cursor.after;
    }
    seen.length.should.equal(10000);
    seen.should.deepEqual(Array.from({ length: 10000 }, (_, i) => i + 1));
    const back = [];
    let before = '10001';
    for (;;) {
      const r = await api(env.sim, 'GET', `/api/v1/alarms/active?limit=100&before=${before}`);
      if (r.status === 204) break;
      back.unshift(...r.json.alarms.map((a) => Number(a.id)));
      if (r.json.cursor.before === '-1') break;
      before = r.json.cursor.before;
    }
    back.should.deepEqual(seen);
  });

  it('a cursor naming a cleared alarm still pages from there', async () => {
    raise(5);
    env.sim.control.clearAlarm('3');
    const r = await api(env.sim, 'GET', '/api/v1/alarms/active?after=3');
    r.json.alarms.map((a) => a.id).should.deepEqual(['4', '5']);
    r.json.cursor.before.should.equal('4');
  });

  it('initialAlarms are active at start', async () => {
    const s2 = await startSim({ initialAlarms: [{ description: 'Trunk is down', severity: 'Critical', source: 'Trunk#2' }] });
    try {
      const r = await api(s2, 'GET', '/api/v1/alarms/active/1');
      r.json.should.have.properties({ description: 'Trunk is down', severity: 'Critical', source: 'Trunk#2' });
    } finally {
      await s2.close();
    }
  });

  it('refuses an alarm without a description', () => {
    (() => env.sim.control.raiseAlarm({})).should.throw(/description/);
    (() => env.sim.control.raiseAlarm(jsonBody)).should.throw();
  });
});

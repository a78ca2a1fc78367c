'use strict';
require('should');
const { startSim } = require('../helpers/sim');
const { simPerTest, api, ctl, jsonBody, octet, failure, until } = require('./_util');
const { PmModel } = require('../../simulator/pm');

describe('simulator: faults, HA, control API, request log', function () {
  const env = simPerTest({}, { agent: true });

  it('down: connections are destroyed before any answer; back up when the fault is cleared', async () => {
    (await api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent })).status.should.equal(200);
    env.sim.control.setFaults({ down: true });
    env.sim.control.state().up.should.be.false();
    const e = await failure(api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent }));
    e.code.should.match(/UND_ERR_SOCKET|ECONNRESET/);
    const logged = env.sim.control.log().slice(-1)[0];
    logged.should.have.properties({ path: '/api/v1/status', status: 0 });
    const waiting = env.sim.control.waitUntilUp();
    env.sim.control.setFaults({ down: false });
    await waiting;
    (await api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent })).status.should.equal(200);
  });

  it('slowMs delays answers (a client with a shorter header timeout gives up)', async () => {
    env.sim.control.setFaults({ slowMs: 1500 });
    const e = await failure(api(env.sim, 'GET', '/api/v1/status', { headersTimeout: 200, dispatcher: env.agent }));
    e.code.should.equal('UND_ERR_HEADERS_TIMEOUT');
    (await api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent })).status.should.equal(200);
  });

  it('haSync: actions, uploads (hitless too, as documented), license PUT answer 409; reads still work', async () => {
    env.sim.control.setHaMode(true);
    env.sim.control.setFaults({ haSync: true });
    const conflict = { description: 'Device is currently performing HA synchronization' };
    const calls = [
      ['POST', '/api/v1/actions/reset', jsonBody({})],
      ['POST', '/api/v1/actions/saveConfiguration', {}],
      ['PUT', '/api/v1/files/ini', octet('A = 1\n')],
      ['PUT', '/api/v1/files/ini/incremental', octet('A = 1\n')],
      ['PUT', '/api/v1/files/cliScript', octet('configure voip\nexit\n')],
      ['PUT', '/api/v1/files/cliScript/incremental', octet('show system uptime\n')],
      ['PUT', '/api/v1/files/software', octet('x')],
      ['PUT', '/api/v1/files/software/hitless', octet('x')],
      ['PUT', '/api/v1/files/cpt', octet('x')],
      ['PUT', '/api/v1/license', jsonBody({ licenseVersion: 1, key: 'jCx6r5tovCIKaBBbhPtT53Yj' })],
      ['PUT', '/api/v1/license', octet('277522263687112 jCx6r5tovCIKaBBbhPtT53Yj\n')],
    ];
    for (const [m, p, o] of calls) {
      const r = await api(env.sim, m, p, o);
      r.status.should.equal(409, `${m} ${p}`);
      r.json.should.deepEqual(conflict);
    }
    (await api(env.sim, 'GET', '/api/v1/status')).status.should.equal(200);
    (await api(env.sim, 'GET', '/api/v1/files/ini')).status.should.equal(200);
    env.sim.control.state().uploads.should.be.empty();
    env.sim.control.state().bootCount.should.equal(1);
  });

  it('malformedJson: JSON answers are truncated', async () => {
    env.sim.control.setFaults({ malformedJson: true });
    const r = await api(env.sim, 'GET', '/api/v1/status');
    r.status.should.equal(200);
    r.headers['content-type'].should.equal('application/json');
    (() => JSON.parse(r.text)).should.throw();
    r.text.should.startWith('{');
  });

  it('htmlError: every /api answer is a 500 HTML page, even without credentials', async () => {
    env.sim.control.setFaults({ htmlError: true });
    for (const auth of [undefined, null]) {
      const r = await api(env.sim, 'GET', '/api/v1/status', { auth });
      r.status.should.equal(500);
      r.headers['content-type'].should.match(/^text\/html/);
      r.text.should.match(/<html>/);
    }
  });

  it('dropConnection: the socket is destroyed before any answer', async () => {
    env.sim.control.setFaults({ dropConnection: true });
    const e = await failure(api(env.sim, 'GET', '/api/v1/alarms', { dispatcher: env.agent }));
    e.should.be.an.Error();
    env.sim.control.setFaults({ dropConnection: false });
    (await api(env.sim, 'GET', '/api/v1/alarms', { dispatcher: env.agent })).status.should.equal(200);
  });

  it('hugeBodyBytes: GET /status sends that many bytes of JSON', async () => {
    env.sim.control.setFaults({ hugeBodyBytes: 5 * 1024 * 1024 });
    const r = await api(env.sim, 'GET', '/api/v1/status');
    r.status.should.equal(200);
    r.buffer.length.should.equal(5 * 1024 * 1024);
    Number(r.headers['content-length']).should.equal(5 * 1024 * 1024);
    JSON.parse(r.text).should.have.property('padding');
  });

  it('setFaults refuses unknown faults and wrong types', () => {
    (() => env.sim.control.setFaults({ nope: true })).should.throw(/unknown fault/);
    (() => env.sim.control.setFaults({ down: 'yes' })).should.throw();
    (() => env.sim.control.setFaults({ slowMs: -1 })).should.throw();
    env.sim.control.state().faults.should.deepEqual({ down: false, slowMs: 0, haSync: false, malformedJson: false, htmlError: false, dropConnection: false, hugeBodyBytes: 0 });
  });

  it('request log: every /api request (not /__sim/), status and bytes, never the credentials', async () => {
    env.sim.control.clearLog();
    await api(env.sim, 'GET', '/api/v1/alarms/active?limit=5');
    await api(env.sim, 'PUT', '/api/v1/files/cpt', octet('12345'));
    await api(env.sim, 'GET', '/api/v1/status', { auth: null });
    await ctl(env.sim, 'GET', '/state');
    const log = env.sim.control.log();
    log.map((e) => [e.method, e.path, e.status, e.bytes, e.authenticated]).should.deepEqual([
      ['GET', '/api/v1/alarms/active?limit=5', 204, 0, true],
      ['PUT', '/api/v1/files/cpt', 200, 5, true],
      ['GET', '/api/v1/status', 401, 0, false],
    ]);
    log[1].seq.should.be.above(log[0].seq);
    JSON.stringify(log).should.not.match(/Admin|QWRtaW46QWRtaW4/);
  });

  it('the request log keeps at most logLimit entries (the newest)', async () => {
    const s = await startSim({ logLimit: 3 });
    try {
      for (let i = 0; i < 5; i++) await api(s, 'GET', `/api/v1/status?n=${i}`);
      s.control.log().map((e) => e.path).should.deepEqual(['/api/v1/status?n=2', '/api/v1/status?n=3', '/api/v1/status?n=4']);
    } finally {
      await s.close();
    }
  });

  describe('control API over HTTP (/__sim/, no auth)', () => {
    it('raises (with clearedByCli), lists and clears alarms', async () => {
      let r = await ctl(env.sim, 'POST', '/alarms', { description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
      r.status.should.equal(201);
      r.json.should.deepEqual({ id: '1' });
      (await ctl(env.sim, 'POST', '/alarms', { description: 'Second' })).json.id.should.equal('2');
      (await ctl(env.sim, 'POST', '/alarms', { severity: 'Major' })).status.should.equal(400);
      (await api(env.sim, 'GET', '/api/v1/alarms/active/1')).json.source.should.equal('Trunk#1');
      env.sim.control.state().activeAlarms[0].clearedByCli.should.equal('no shutdown');
      r = await ctl(env.sim, 'DELETE', '/alarms/1');
      r.status.should.equal(200);
      r.json.should.deepEqual({ id: '1' });
      (await ctl(env.sim, 'DELETE', '/alarms/1')).status.should.equal(404);
      (await ctl(env.sim, 'POST', '/alarms/clear-all')).json.should.deepEqual({ cleared: 1 });
      (await api(env.sim, 'GET', '/api/v1/alarms/active')).status.should.equal(204);
    });

    it('faults, HA, log, state and PM', async () => {
      let r = await ctl(env.sim, 'PUT', '/faults', { slowMs: 5, haSync: true });
      r.status.should.equal(200);
      r.json.should.have.properties({ slowMs: 5, haSync: true, down: false });
      (await ctl(env.sim, 'GET', '/faults')).json.haSync.should.be.true();
      (await ctl(env.sim, 'PUT', '/faults', { bogus: 1 })).status.should.equal(400);
      (await ctl(env.sim, 'PUT', '/faults', { slowMs: 0, haSync: false })).status.should.equal(200);
      (await ctl(env.sim, 'PUT', '/ha', { enabled: true })).json.should.deepEqual({ enabled: true });
      (await api(env.sim, 'GET', '/api/v1/status')).json.highAvailability.should.equal('Active');
      (await ctl(env.sim, 'PUT', '/ha', { enabled: 'x' })).status.should.equal(400);
      await api(env.sim, 'GET', '/api/v1');
      r = await ctl(env.sim, 'GET', '/log');
      r.json.slice(-1)[0].path.should.equal('/api/v1');
      (await ctl(env.sim, 'DELETE', '/log')).status.should.equal(200);
      (await ctl(env.sim, 'GET', '/log')).json.should.deepEqual([]);
      r = await ctl(env.sim, 'GET', '/state');
      r.json.should.have.properties({ bootCount: 1, up: true, haMode: true, unsaved: false });
      r.json.ini.should.match(/\[SYSTEM Params\]/);
      (await ctl(env.sim, 'POST', '/pm', { pm: 'netUtilKBytes', index: 1, value: 77 })).status.should.equal(200);
      (await api(env.sim, 'GET', '/api/v1/performanceMonitoring/NetUtilKBytes?index=1')).json.value.should.equal(77);
      (await ctl(env.sim, 'POST', '/pm', { pm: 'nope', index: 0, value: 1 })).status.should.equal(404);
      (await ctl(env.sim, 'POST', '/pm', { pm: 'NetUtilKBytes', index: 5, value: 1 })).status.should.equal(400);
      (await ctl(env.sim, 'GET', '/nothing')).status.should.equal(404);
      (await ctl(env.sim, 'DELETE', '/state')).status.should.equal(405);
      (await ctl(env.sim, 'GET', '/certificate')).status.should.equal(404);
    });

    it('reboot: 202, then unreachable, then up with a new bootCount', async () => {
      env.sim.control.raiseAlarm({ description: 'before' });
      const r = await ctl(env.sim, 'POST', '/reboot', { bootTimeMs: 200 });
      r.status.should.equal(202);
      env.sim.control.state().up.should.be.false();
      await failure(api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent }));
      await env.sim.control.waitUntilUp();
      const st = (await ctl(env.sim, 'GET', '/state')).json;
      st.bootCount.should.equal(2);
      st.activeAlarms.should.be.empty();
      (await ctl(env.sim, 'POST', '/reboot', { bootTimeMs: -5 })).status.should.equal(400);
    });

    it('down set over HTTP answers first, then drops /api connections; the control API stays reachable', async () => {
      (await ctl(env.sim, 'PUT', '/faults', { down: true })).status.should.equal(200);
      await failure(api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent }));
      (await ctl(env.sim, 'GET', '/state')).json.up.should.be.false();
      (await ctl(env.sim, 'PUT', '/faults', { down: false })).status.should.equal(200);
      await until(async () => (await api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent }).catch(() => ({}))).status === 200);
    });

    it('down set over HTTP drops the device\'s connections but not the control connection that asked', async () => {
      const { request, Agent } = require('undici');
      const control = new Agent({ connections: 1 });
      const events = { connect: 0, disconnect: 0 };
      control.on('connect', () => events.connect++);
      control.on('disconnect', () => events.disconnect++);
      const ctlOn = async (method, path, body) => {
        const r = await request(`${env.sim.url}/__sim${path}`, { method, dispatcher: control, headers: body ? { 'content-type': 'application/json' } : {}, body: body && JSON.stringify(body) });
        return { status: r.statusCode, json: await r.body.json() };
      };
      try {
        // a kept-alive connection to the device's API
        (await api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent })).status.should.equal(200);
        const dropped = new Promise((resolve) => env.agent.once('disconnect', resolve));
        (await ctlOn('PUT', '/faults', { down: true })).status.should.equal(200);
        await dropped;
        // the control connection is still there, and answers on
        const st = await ctlOn('GET', '/state');
        st.json.up.should.be.false();
        (await ctlOn('PUT', '/faults', { down: false })).status.should.equal(200);
        events.should.eql({ connect: 1, disconnect: 0 });
      } finally {
        await control.close();
      }
    });
  });

  it('PM values move over time (a function of the clock, no timers)', () => {
    const pm = new PmModel();
    for (const name of ['NetUtilPackets', 'ActiveContextCount', 'IPGroupInCallsEstablished']) {
      const def = pm.find(name);
      const t0 = Date.UTC(2025, 0, 1);
      const values = [0, 1, 2, 3, 4, 5].map((k) => pm.value(def, 0, 0, t0 + k * 60000).value);
      new Set(values).size.should.be.above(1, name);
    }
  });

  it('close() stops the simulator: the port no longer answers', async () => {
    const s = await startSim({ scenario: { periodMs: 50 } });
    const url = s.url;
    await s.close();
    await failure(api({ url }, 'GET', '/api/v1/status'));
    await s.close(); // idempotent
  });
});

'use strict';
require('should');
const { simPerTest, api, jsonBody, octet, failure } = require('./_util');

describe('simulator: actions and configuration persistence', function () {
  const env = simPerTest({}, { agent: true });

  const setParam = (k, v) => api(env.sim, 'PUT', '/api/v1/files/ini/incremental', { ...octet(`[SYSTEM Params]\n${k} = ${v}\n`), dispatcher: env.agent });
  const iniText = async () => (await api(env.sim, 'GET', '/api/v1/files/ini', { dispatcher: env.agent })).text;

  it('POST /actions/reset answers "Device will reset now", then the device is unreachable until it has booted', async () => {
    const r = await api(env.sim, 'POST', '/api/v1/actions/reset', { ...jsonBody({ saveConfiguration: true, gracefulTimeout: 0 }), dispatcher: env.agent });
    r.status.should.equal(200);
    r.headers['content-type'].should.equal('application/json');
    r.json.should.deepEqual({ description: 'Device will reset now' });
    env.sim.control.state().up.should.be.false();
    const e = await failure(api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent }));
    e.should.be.an.Error();
    await env.sim.control.waitUntilUp();
    (await api(env.sim, 'GET', '/api/v1/status', { dispatcher: env.agent })).status.should.equal(200);
    env.sim.control.state().bootCount.should.equal(2);
  });

  it('reset with no body uses the defaults; gracefulTimeout 1 or N resets as well (no calls to wait for)', async () => {
    for (const body of [undefined, { gracefulTimeout: 1 }, { gracefulTimeout: 30 }]) {
      const r = await api(env.sim, 'POST', '/api/v1/actions/reset', body ? jsonBody(body) : {});
      r.status.should.equal(200);
      r.json.description.should.equal('Device will reset now');
      await env.sim.control.waitUntilUp();
    }
    env.sim.control.state().bootCount.should.equal(4);
  });

  it('400 for invalid attribute types or unknown attributes, and no reset', async () => {
    for (const body of [{ saveConfiguration: 'yes' }, { gracefulTimeout: -1 }, { gracefulTimeout: '5' }, { gracefulTimeout: 1.5 }, { bogus: 1 }]) {
      const r = await api(env.sim, 'POST', '/api/v1/actions/reset', jsonBody(body));
      r.status.should.equal(400, JSON.stringify(body));
      r.json.description.should.be.a.String();
    }
    let r = await api(env.sim, 'POST', '/api/v1/actions/reset', { body: '{not json', headers: { 'content-type': 'application/json' } });
    r.status.should.equal(400);
    r = await api(env.sim, 'POST', '/api/v1/actions/reset', jsonBody([1, 2]));
    r.status.should.equal(400);
    env.sim.control.state().bootCount.should.equal(1);
    env.sim.control.state().up.should.be.true();
  });

  it('POST /actions/saveConfiguration: 200 with an empty body, persists the running configuration', async () => {
    (await setParam('SyslogServerIP', '10.9.9.9')).status.should.equal(200);
    env.sim.control.state().unsaved.should.be.true();
    const r = await api(env.sim, 'POST', '/api/v1/actions/saveConfiguration');
    r.status.should.equal(200);
    r.text.should.equal('');
    env.sim.control.state().unsaved.should.be.false();
    env.sim.control.reboot();
    await env.sim.control.waitUntilUp();
    (await iniText()).should.match(/SyslogServerIP = 10\.9\.9\.9/);
  });

  it('reset with saveConfiguration false loses unsaved changes; true keeps them', async () => {
    await setParam('SyslogServerIP', '10.1.1.1');
    await api(env.sim, 'POST', '/api/v1/actions/reset', jsonBody({ saveConfiguration: false }));
    await env.sim.control.waitUntilUp();
    (await iniText()).should.match(/SyslogServerIP = 10\.4\.2\.23/);
    await setParam('SyslogServerIP', '10.2.2.2');
    await api(env.sim, 'POST', '/api/v1/actions/reset', jsonBody({ saveConfiguration: true }));
    await env.sim.control.waitUntilUp();
    (await iniText()).should.match(/SyslogServerIP = 10\.2\.2\.2/);
    env.sim.control.state().unsaved.should.be.false();
  });

  it('a control reboot (power cycle) restores the saved configuration, INI and CLI alike', async () => {
    await setParam('NewParam', '7');
    (await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('configure system\n hostname "changed"\nexit\n'))).status.should.equal(200);
    (await iniText()).should.match(/NewParam = 7/);
    (await api(env.sim, 'GET', '/api/v1/files/cliScript')).text.should.match(/hostname "changed"/);
    env.sim.control.reboot();
    await env.sim.control.waitUntilUp();
    (await iniText()).should.not.match(/NewParam/);
    const cli = (await api(env.sim, 'GET', '/api/v1/files/cliScript')).text;
    cli.should.match(/hostname "mediant-sim"/);
    cli.should.not.match(/changed/);
  });
});

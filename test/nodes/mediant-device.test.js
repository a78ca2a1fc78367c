'use strict';
const should = require('should');
const { startSim, FIRMWARE } = require('../helpers/sim');
const { useSimulator, helper, waitFor, flowFor, load, send, apiLog, assertNoSecret, logLines, PASSWORD, CREDENTIALS } = require('../helpers/mediant-flow');

const statusNode = require('../../nodes/mediant-status.js');
const saveNode = require('../../nodes/mediant-save-config.js');
const tlsNode = require('@node-red/nodes/core/network/05-tls.js');

const STATUS = { id: 'n1', type: 'mediant-status', name: '' };

describe('mediant-device config node', function () {
  const env = useSimulator();

  it('gives every node naming it one shared client, and msg.device is its name', async function () {
    const flow = flowFor(env.sim, [STATUS, { id: 'n2', type: 'mediant-save-config', name: '' }], { name: 'lab-sbc' });
    await load([statusNode, saveNode], flow);
    const device = helper.getNode('dev1');
    should(device.deviceLabel).equal('lab-sbc');
    const a = await send('n1', { topic: 't' });
    const b = await send('n2', { topic: 't' });
    should(a.out.device).equal('lab-sbc');
    should(b.out.device).equal('lab-sbc');
    should(a.out.payload.productType).be.a.String();
  });

  it('uses host:port as msg.device when it has no name', async function () {
    await load([statusNode], flowFor(env.sim, [STATUS]));
    const r = await send('n1', {});
    should(r.out.device).equal(`127.0.0.1:${env.sim.port}`);
  });

  it('takes the host from ${ENV_VAR}, as Node-RED substitutes it', async function () {
    process.env.MEDIANT_TEST_HOST = '127.0.0.1';
    process.env.MEDIANT_TEST_PORT = String(env.sim.port);
    try {
      await load([statusNode], flowFor(env.sim, [STATUS], { host: '${MEDIANT_TEST_HOST}', port: '${MEDIANT_TEST_PORT}' }));
      const r = await send('n1', {});
      should(r.out.statusCode).equal(200);
    } finally {
      delete process.env.MEDIANT_TEST_HOST;
      delete process.env.MEDIANT_TEST_PORT;
    }
  });

  it('refuses a host with a scheme: every node fails with that reason and no request is sent', async function () {
    await load([statusNode], flowFor(env.sim, [STATUS], { host: 'http://127.0.0.1', name: 'lab-sbc' }));
    const r = await send('n1', {});
    should(r.caught).be.ok();
    should(r.caught.error.message).match(/^device lab-sbc has a bad setting: host must be a host name or IP address/);
    should(apiLog(env.sim)).have.length(0);
  });

  it('gives up after its timeout with a message in plain words', async function () {
    await load([statusNode], flowFor(env.sim, [STATUS], { timeout: 300 }));
    env.sim.control.setFaults({ slowMs: 3000 });
    const r = await send('n1', {});
    should(r.caught.error.message).equal(`status failed: timeout: no answer from 127.0.0.1:${env.sim.port} within 300 ms`);
    should(r.caught).not.have.property('statusCode');
  });

  it('names a missing tls-config node as the bad setting', async function () {
    await load([statusNode], flowFor(env.sim, [STATUS], { protocol: 'https', tls: 'gone', name: 'lab-sbc' }));
    const r = await send('n1', {});
    should(r.caught.error.message).match(/^device lab-sbc has a bad setting: its TLS configuration node is not there/);
    should(apiLog(env.sim)).have.length(0);
  });

  it('closes its connection pool when the flow is unloaded', async function () {
    await load([statusNode], flowFor(env.sim, [STATUS]));
    await send('n1', {});
    const client = helper.getNode('dev1').client;
    await helper.unload();
    const before = apiLog(env.sim).length;
    const err = await client.getStatus().then(
      () => null,
      (e) => e,
    );
    should(err).be.an.Error();
    should(err.message).match(/^status failed: .*was closed/);
    should(apiLog(env.sim)).have.length(before); // nothing reached the device after the close
  });

  it('retries a 409 for up to conflictRetry seconds when it is set', async function () {
    await load([saveNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-save-config' }], { conflictRetry: 20 }));
    env.sim.control.setFaults({ haSync: true });
    const result = send('n1', { topic: 'save' });
    // The HA synchronization ends while the node is retrying.
    await waitFor(() => apiLog(env.sim).filter((e) => e.status === 409).length >= 1);
    env.sim.control.setFaults({ haSync: false });
    const r = await result;
    should(r.out).be.ok();
    should(r.out.statusCode).equal(200);
    const saves = apiLog(env.sim).filter((e) => e.path === '/api/v1/actions/saveConfiguration');
    should(saves.length).be.above(1);
    should(saves[0].status).equal(409);
    should(saves[saves.length - 1].status).equal(200);
  });

  it('does not retry a 409 when conflictRetry is 0', async function () {
    await load([saveNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-save-config' }]));
    env.sim.control.setFaults({ haSync: true });
    const r = await send('n1', {});
    should(r.caught.error.message).match(/409 Conflict: Device is currently performing HA synchronization/);
    should(apiLog(env.sim).filter((e) => e.path === '/api/v1/actions/saveConfiguration')).have.length(1);
  });

  describe('Test connection endpoint', function () {
    const dialog = (over) => ({
      host: '127.0.0.1',
      port: String(env.sim.port),
      protocol: 'http',
      tls: '',
      timeout: '5000',
      username: 'Admin',
      password: PASSWORD,
      ...over,
    });

    it('answers ok with the product, version and state of the device', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      const res = await helper.request().post('/mediant-device/dev1/test').send(dialog()).expect(200);
      should(res.body.ok).equal(true);
      should(res.body.productType).be.a.String().and.not.be.empty();
      should(res.body.versionID).be.a.String().and.not.be.empty();
      should(res.body.operationalState).be.a.String().and.not.be.empty();
      should(apiLog(env.sim).some((e) => e.path === '/api/v1/status' && e.status === 200)).be.true();
    });

    it('says what the account can do, found out without changing anything on the device', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      const before = env.sim.control.state();
      const admin = await helper.request().post('/mediant-device/dev1/test').send(dialog()).expect(200);
      should(admin.body).containDeep({ ok: true, access: 'securityAdmin', accessComplete: true });
      const after = env.sim.control.state();
      should(after).containDeep({ bootCount: before.bootCount, unsaved: before.unsaved, license: before.license });
      should(after.uploads.length).equal(before.uploads.length);
      const monitor = await helper.request().post('/mediant-device/dev1/test').send(dialog({ username: 'Monitor', password: 'Monitor' })).expect(200);
      if (FIRMWARE === '7.4') should(monitor.body).containDeep({ ok: true, access: 'monitor', accessComplete: true });
      else should(monitor.body.error).startWith('403 Forbidden');
    });

    it('answers a plain error for a wrong password, without the password', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      const wrong = 'Wr0ng-Secret-77';
      const res = await helper.request().post('/mediant-device/dev1/test').send(dialog({ password: wrong })).expect(200);
      should(res.body.ok).equal(false);
      should(res.body.error).match(/401 Unauthorized/);
      should(JSON.stringify(res.body)).not.containEql(wrong);
      assertNoSecret(res.body, wrong);
    });

    it('uses the stored password when the password was not retyped', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      const res = await helper.request().post('/mediant-device/dev1/test').send(dialog({ password: '__PWRD__' })).expect(200);
      should(res.body.ok).equal(true);
      assertNoSecret(res.body);
    });

    it('sends the stored password only to the deployed address', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      const elsewhere = await startSim();
      try {
        const res = await helper.request().post('/mediant-device/dev1/test')
          .send(dialog({ port: String(elsewhere.port), password: '__PWRD__' })).expect(200);
        should(res.body.ok).equal(false);
        should(res.body.error).match(/retype the password/);
        should(apiLog(elsewhere)).have.length(0);
        should(apiLog(env.sim)).have.length(0);
      } finally {
        await elsewhere.close();
      }
    });

    it('asks for the password when none is stored for a new device', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      const res = await helper.request().post('/mediant-device/not-deployed/test').send(dialog({ password: '__PWRD__' })).expect(200);
      should(res.body.ok).equal(false);
      should(res.body.error).match(/type the password/);
      should(apiLog(env.sim)).have.length(0);
    });

    it('refuses a host with a path before sending anything', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      const res = await helper.request().post('/mediant-device/dev1/test').send(dialog({ host: '127.0.0.1/api' })).expect(200);
      should(res.body.ok).equal(false);
      should(res.body.error).match(/host must be a host name or IP address/);
      should(apiLog(env.sim)).have.length(0);
    });

    it('says in plain words when the device does not answer', async function () {
      await load([statusNode], flowFor(env.sim, [STATUS]));
      env.sim.control.setFaults({ down: true });
      const res = await helper.request().post('/mediant-device/dev1/test').send(dialog()).expect(200);
      should(res.body.ok).equal(false);
      should(res.body.error).match(/^network: connection dropped by 127.0.0.1:\d+ before a complete answer$/);
      assertNoSecret(res.body);
    });
  });

  it('never shows the password in a message, a status or a log line', async function () {
    const flow = flowFor(env.sim, [STATUS]);
    await load([statusNode], flow, { dev1: { username: 'Admin', password: PASSWORD } });
    const seen = [];
    helper.getNode('n1').on('call:status', (c) => seen.push(c.args[0]));
    const ok = await send('n1', {});
    env.sim.control.setFaults({ htmlError: true });
    const bad = await send('n1', {});
    env.sim.control.setFaults({ htmlError: false });
    should(bad.caught.statusCode).equal(500);
    assertNoSecret([ok.out, bad.caught, seen, logLines()]);
  });

  it('a wrong stored password reaches the Catch node as 401, without the password', async function () {
    await load([statusNode], flowFor(env.sim, [STATUS]), { dev1: { username: 'Admin', password: 'not-it' } });
    const r = await send('n1', {});
    should(r.caught.statusCode).equal(401);
    should(r.caught.error.message).match(/^status failed: 401 Unauthorized/);
    assertNoSecret(r.caught, 'not-it');
  });
});

describe('mediant-device over HTTPS with a tls-config node', function () {
  const env = useSimulator({ tls: true });

  function tlsFlow(withCa) {
    const flow = flowFor(env.sim, [STATUS], { protocol: 'https', tls: 'tls1' });
    flow.push({ id: 'tls1', type: 'tls-config', name: 'sim CA', cert: '', key: '', ca: '', certname: '', keyname: '', caname: withCa ? 'sim.pem' : '', servername: '', verifyservercert: true });
    return flow;
  }

  it("verifies the device's certificate against the CA given in tls-config", async function () {
    should(env.sim.protocol).equal('https');
    should(env.sim.certificate).match(/BEGIN CERTIFICATE/);
    await load([tlsNode, statusNode], tlsFlow(true), { ...CREDENTIALS, tls1: { cadata: env.sim.certificate } });
    const r = await send('n1', {});
    should(r.out).be.ok();
    should(r.out.statusCode).equal(200);
  });

  it('without the CA, the error says what to do', async function () {
    await load([tlsNode, statusNode], tlsFlow(false), CREDENTIALS);
    const r = await send('n1', {});
    should(r.caught).be.ok();
    should(r.caught.error.message).match(/^status failed: TLS: /);
    should(r.caught.error.message).match(/tls-config/);
    should(apiLog(env.sim).filter((e) => e.path === '/api/v1/status')).have.length(0);
  });

  it('with verification turned off in tls-config, connects to a self-signed device', async function () {
    const flow = tlsFlow(false);
    flow.find((n) => n.id === 'tls1').verifyservercert = false;
    await load([tlsNode, statusNode], flow, CREDENTIALS);
    const r = await send('n1', {});
    should(r.out.statusCode).equal(200);
  });

  it('Test connection uses the tls-config node named in the dialog', async function () {
    await load([tlsNode, statusNode], tlsFlow(true), { ...CREDENTIALS, tls1: { cadata: env.sim.certificate } });
    const body = { host: '127.0.0.1', port: String(env.sim.port), protocol: 'https', tls: 'tls1', timeout: '5000', username: 'Admin', password: '__PWRD__' };
    const ok = await helper.request().post('/mediant-device/dev1/test').send(body).expect(200);
    should(ok.body.ok).equal(true);
    const noCa = await helper.request().post('/mediant-device/dev1/test').send({ ...body, tls: '' }).expect(200);
    should(noCa.body.ok).equal(false);
    should(noCa.body.error).match(/TLS: .*tls-config/);
  });
});

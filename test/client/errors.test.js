'use strict';
// Every documented error status, and every way the network or the answer can
// fail, each as the one MediantError a user sees, with no credential in it.
const should = require('should');
const { MediantClient, MediantHttpError } = require('../../client');
const { useSimClient, clientFor, failsWith, closedPort, settledLog, assertNoCredentials, MONITOR_PASSWORD } = require('./_common');
const { hasFeature } = require('../helpers/sim');

describe('client: errors', function () {
  const env = useSimClient();

  describe('documented status codes', function () {
    // firmware 7.4 has no /performanceMonitoring
    (hasFeature('performanceMonitoring') ? it : it.skip)('400: an invalid PM index, with the device\'s description', async function () {
      const err = await failsWith(env.client.getPmValue('NetUtilPackets', { index: 100 }), 'EHTTP');
      err.should.be.instanceOf(MediantHttpError);
      err.statusCode.should.equal(400);
      err.description.should.equal('Invalid index');
      err.message.should.equal('read PM failed: 400 Bad Request: Invalid index');
    });

    it('400: an incorrect INI file', async function () {
      const err = await failsWith(env.client.uploadFile('ini/incremental', 'this is not an ini file'), 'EHTTP');
      err.statusCode.should.equal(400);
      err.message.should.startWith('upload ini/incremental failed: 400 Bad Request: ');
    });

    it('400: a license key for another serial number', async function () {
      const err = await failsWith(env.client.putLicense({ licenseVersion: 1, serialNumber: '111111111', key: 'Key0123456789abcdefg' }), 'EHTTP');
      err.statusCode.should.equal(400);
      err.operation.should.equal('put license');
    });

    it('401: a wrong password, and the password is nowhere in the error', async function () {
      const bad = clientFor(env.sim, { password: 'Wr0ng-Pa55-q1' });
      try {
        const err = await failsWith(bad.getStatus(), 'EHTTP');
        err.statusCode.should.equal(401);
        err.message.should.startWith('status failed: 401 Unauthorized');
      } finally {
        await bad.close();
      }
    });

    it('403: a Monitor user', async function () {
      const mon = clientFor(env.sim, { username: 'Monitor', password: MONITOR_PASSWORD });
      try {
        const err = await failsWith(mon.reset(), 'EHTTP');
        err.statusCode.should.equal(403);
        err.message.should.startWith('reset failed: 403 Forbidden');
      } finally {
        await mon.close();
      }
    });

    it('404: an unknown alarm', async function () {
      const err = await failsWith(env.client.getAlarm('active', '987654'), 'EHTTP');
      err.statusCode.should.equal(404);
      err.message.should.startWith('read alarm failed: 404 Not Found');
    });

    it('404: an unknown PM', async function () {
      const err = await failsWith(env.client.getPmDiscovery('NoSuchPm'), 'EHTTP');
      err.statusCode.should.equal(404);
    });

    it('404: an unknown URL through the generic request', async function () {
      const err = await failsWith(env.client.request({ method: 'GET', path: '/nothing/here' }), 'EHTTP');
      err.statusCode.should.equal(404);
      err.message.should.startWith('request failed: 404 Not Found');
    });

    it('405: a method the resource does not take', async function () {
      const err = await failsWith(env.client.request({ method: 'DELETE', path: '/status', operation: 'delete status' }), 'EHTTP');
      err.statusCode.should.equal(405);
      err.message.should.startWith('delete status failed: 405 Method Not Allowed');
    });

    it('406: an Accept the resource cannot serve', async function () {
      const err = await failsWith(env.client.request({ method: 'GET', path: '/status', accept: 'text/html' }), 'EHTTP');
      err.statusCode.should.equal(406);
    });

    it('409: HA synchronization, worded as the contract shows', async function () {
      env.sim.control.setFaults({ haSync: true });
      const err = await failsWith(env.client.reset({ saveConfiguration: true, gracefulTimeout: 0 }), 'EHTTP');
      err.statusCode.should.equal(409);
      err.message.should.equal('reset failed: 409 Conflict: Device is currently performing HA synchronization');
      const save = await failsWith(env.client.saveConfiguration(), 'EHTTP');
      save.message.should.equal('save configuration failed: 409 Conflict: Device is currently performing HA synchronization');
    });

    it('409: a JSON license on an HA device', async function () {
      env.sim.control.setHaMode(true);
      try {
        const err = await failsWith(env.client.putLicense({ licenseVersion: 1, key: 'Key0123456789abcdefg' }), 'EHTTP');
        err.statusCode.should.equal(409);
        err.description.should.match(/HA configuration/);
      } finally {
        env.sim.control.setHaMode(false);
      }
    });
  });

  describe('bad answers', function () {
    it('malformed JSON', async function () {
      env.sim.control.setFaults({ malformedJson: true });
      const err = await failsWith(env.client.getStatus(), 'ERESPONSE');
      err.message.should.equal('status failed: bad response: malformed JSON');
    });

    it('an HTML error page gives the status only, no HTML', async function () {
      env.sim.control.setFaults({ htmlError: true });
      const err = await failsWith(env.client.getStatus(), 'EHTTP');
      err.statusCode.should.equal(500);
      err.message.should.equal('status failed: 500 Internal Server Error');
      should(err.description).be.undefined();
    });

    it('an oversized answer stops at the cap', async function () {
      const small = clientFor(env.sim, { maxResponseBytes: 16 * 1024 });
      try {
        env.sim.control.setFaults({ hugeBodyBytes: 4 * 1024 * 1024 });
        const err = await failsWith(small.getStatus(), 'ERESPONSE');
        err.message.should.equal('status failed: bad response: response larger than 16 KiB');
        env.sim.control.setFaults({ hugeBodyBytes: 0 });
        // the pool is still usable afterwards
        (await small.getStatus()).statusCode.should.equal(200);
      } finally {
        await small.close();
      }
    });

    it('the default cap is 16 MiB', async function () {
      env.sim.control.setFaults({ hugeBodyBytes: 17 * 1024 * 1024 });
      const err = await failsWith(env.client.getStatus(), 'ERESPONSE');
      err.message.should.equal('status failed: bad response: response larger than 16 MiB');
    });

    it('an answer under the cap is read whole', async function () {
      env.sim.control.setFaults({ hugeBodyBytes: 200 * 1024 });
      const res = await env.client.getStatus();
      res.body.padding.length.should.be.above(190 * 1024);
    });
  });

  describe('network', function () {
    it('times out on a slow answer, naming host:port', async function () {
      const quick = clientFor(env.sim, { timeout: 200 });
      try {
        env.sim.control.setFaults({ slowMs: 3000 });
        const err = await failsWith(quick.getStatus(), 'ETIMEOUT');
        err.message.should.equal(`status failed: timeout: no answer from 127.0.0.1:${env.sim.port} within 200 ms`);
      } finally {
        await quick.destroy();
      }
    });

    it('a dropped connection', async function () {
      env.sim.control.setFaults({ dropConnection: true });
      const err = await failsWith(env.client.getStatus(), 'ENETWORK');
      err.message.should.match(/connection dropped/);
    });

    it('a device that is down', async function () {
      env.sim.control.setFaults({ down: true });
      const err = await failsWith(env.client.getStatus(), 'ENETWORK');
      err.message.should.startWith('status failed: network: ');
    });

    it('connection refused on a closed port', async function () {
      const port = await closedPort();
      const c = new MediantClient({ host: '127.0.0.1', port, protocol: 'http', username: 'Admin', password: 'Adm1n-Pa55-x9q' });
      try {
        const err = await failsWith(c.getStatus(), 'ENETWORK');
        err.message.should.equal(`status failed: network: connection refused by 127.0.0.1:${port} (is the device up and the port right?)`);
      } finally {
        await c.close();
      }
    });

    it('the caller\'s abort signal cancels a request under way', async function () {
      env.sim.control.setFaults({ slowMs: 3000 });
      const ac = new AbortController();
      const p = env.client.getStatus(ac.signal);
      setTimeout(() => ac.abort(), 50);
      const err = await failsWith(p, 'EABORTED');
      err.message.should.equal('status cancelled');
    });

    it('an already-aborted signal sends nothing', async function () {
      env.sim.control.clearLog();
      await failsWith(env.client.getStatus(AbortSignal.abort()), 'EABORTED');
      await env.client.getLicense();
      (await settledLog(env.sim, '/api/v1/license')).map((e) => e.path).should.eql(['/api/v1/license']);
    });

    it('a closed client refuses further calls with a plain error', async function () {
      const c = clientFor(env.sim);
      await c.close();
      const err = await failsWith(c.getStatus(), 'ENETWORK');
      err.message.should.match(/closed/);
    });
  });

  describe('credentials', function () {
    it('never appear in any error, for any kind of failure', async function () {
      const wrong = clientFor(env.sim, { password: 'Wr0ng-Pa55-q1' });
      const probes = [
        () => wrong.getStatus(),
        () => wrong.uploadFile('ini/incremental', 'EnableSyslog = 1\n'),
        () => env.client.getAlarm('active', '../actions/reset'),
        () => env.client.request({ method: 'GET', path: '/../x' }),
      ];
      try {
        for (const p of probes) {
          let err;
          try {
            await p();
          } catch (e) {
            err = e;
          }
          should.exist(err);
          assertNoCredentials(err);
        }
      } finally {
        await wrong.close();
      }
    });

    it('never appear when the client object is inspected', function () {
      const util = require('node:util');
      const view = util.inspect(env.client, { depth: 6, showHidden: true });
      view.should.not.containEql('Adm1n-Pa55-x9q');
      view.should.not.containEql('Basic ');
      JSON.stringify(env.client).should.not.containEql('Basic ');
    });
  });
});

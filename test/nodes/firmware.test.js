'use strict';
// What a user of each firmware meets through the nodes, against each
// simulator profile: mediant-status's 7.x fields and msg.saveNeeded, a CLI
// script the device reports as failed at the Catch node, uploads encoded by
// firmware (and as the device node pins them), mediant-pm-read on a device
// without /performanceMonitoring.
const should = require('should');
const { useSimulator, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines, waitFor, PASSWORD } = require('../helpers/mediant-flow');
const { FIRMWARES } = require('../helpers/sim');
const { MediantClient } = require('../../client');

const statusNode = require('../../nodes/mediant-status.js');
const cliNode = require('../../nodes/mediant-run-cli.js');
const uploadNode = require('../../nodes/mediant-upload-file.js');
const pmNode = require('../../nodes/mediant-pm-read.js');

const SEVEN_X = (fw) => fw !== '7.0';
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Changes (or saves) the device's running configuration, as another user's flow would. */
async function onDevice(sim, fn) {
  const c = new MediantClient({ host: '127.0.0.1', port: sim.port, protocol: 'http', username: 'Admin', password: PASSWORD });
  try {
    await fn(c);
  } finally {
    await c.destroy();
  }
}

for (const firmware of FIRMWARES) {
  describe(`nodes on firmware ${firmware}`, function () {
    const env = useSimulator({ firmware });

    describe('mediant-status', function () {
      it(SEVEN_X(firmware) ? 'sends the 7.x fields as the device sends them, and msg.saveNeeded / msg.resetNeeded as booleans' : 'sends the 2015 fields, and no msg.saveNeeded', async function () {
        await onDevice(env.sim, (c) => c.saveConfiguration());
        await load([statusNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-status', name: '' }]));
        const statuses = recordStatus('n1');
        let r = await send('n1', {});
        const p = r.out.payload;
        if (!SEVEN_X(firmware)) {
          should(p.highAvailability).equal('Stand Alone');
          should(r.out).not.have.property('saveNeeded');
          return;
        }
        should(p).have.properties(['serialNumber', 'macAddress', 'systemUpTime', 'saveNeeded', 'resetNeeded', 'upgradeStatus']);
        should(p.highAvailability).equal('Not Operational');
        // the payload keeps the device's own JSON type; msg.saveNeeded is a boolean either way
        should(typeof p.saveNeeded).equal(firmware === '7.2' ? 'string' : 'boolean');
        should(r.out.saveNeeded).equal(false);
        should(r.out.resetNeeded).equal(false);
        if (firmware === '7.4') should(p).have.properties(['osType', 'acceleratedNetworking']);
        await onDevice(env.sim, (c) => c.uploadFile('ini/incremental', 'MEDIACHANNELS = 17\n'));
        r = await send('n1', {});
        should(r.out.saveNeeded).equal(true);
        await settle();
        should(statuses.at(-1).text).startWith('UNLOCKED · unsaved changes');
      });
    });

    describe('mediant-run-cli', function () {
      it(firmware === '7.4' ? 'a script the device reports as failed (200) reaches the Catch node with its output in msg.payload' : 'a script the device refuses (400) reaches the Catch node', async function () {
        await load([cliNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-run-cli', name: '', script: '' }]));
        const statuses = recordStatus('n1');
        const r = await send('n1', { payload: 'show no-such-thing', topic: 'fix' });
        should(r.out).be.undefined();
        should(r.caught.topic).equal('fix');
        await settle();
        should(statuses.at(-1).fill).equal('red');
        if (firmware !== '7.4') {
          should(r.caught.statusCode).equal(400);
          should(r.caught.error.message).startWith('run CLI script failed: 400 Bad Request: Incremental CLI script is incorrect');
          return;
        }
        should(r.caught.statusCode).equal(200);
        should(r.caught.error.message).startWith('run CLI script failed: the device reports status "failure": Incremental CLI script is incorrect: line 1');
        should(r.caught.payload).startWith('Error: line 1');
        should(r.caught.description).startWith('Incremental CLI script is incorrect');
        should(statuses.at(-1).text).startWith('failed on the device');
        assertNoSecret([r, statuses, logLines()]);
      });

      it('a script the device runs is sent on with its output', async function () {
        await load([cliNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-run-cli', name: '', script: 'show system uptime' }]));
        const r = await send('n1', {});
        should(r.out.payload).match(/^Uptime: /);
        should(r.out.description).equal(env.sim.control.state().firmware === '7.0' ? 'Incremental CLI script file was loaded' : 'Incremental CLI Script file was loaded.');
      });
    });

    describe('uploads', function () {
      const byFirmware = SEVEN_X(firmware) ? 'multipart/form-data' : 'application/octet-stream';
      const cases = [
        ['', byFirmware, ['GET /api/v1/status', 'PUT /api/v1/files/dialplan']],
        ['auto', byFirmware, ['GET /api/v1/status', 'PUT /api/v1/files/dialplan']],
        ['multipart', 'multipart/form-data', ['PUT /api/v1/files/dialplan']],
        ['octet-stream', 'application/octet-stream', ['PUT /api/v1/files/dialplan']],
      ];
      for (const [uploadEncoding, type, requests] of cases) {
        it(`device Uploads ${uploadEncoding || '(not set: a node deployed before the setting)'}: ${type}`, async function () {
          const device = uploadEncoding === '' ? {} : { uploadEncoding };
          await load([uploadNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-upload-file', name: '', fileType: 'dialplan', filename: '' }], device));
          const r = await send('n1', { payload: 'dial plan' });
          should(r.out.statusCode).equal(200);
          should(env.sim.control.state().uploads.at(-1).contentType).startWith(type);
          await waitFor(() => apiLog(env.sim).length === requests.length);
          should(apiLog(env.sim).map((e) => `${e.method} ${e.path}`)).eql(requests);
        });
      }

      it('a device Uploads value that is not one of the three is a configuration error', async function () {
        await load([uploadNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-upload-file', name: '', fileType: 'dialplan', filename: '' }], { uploadEncoding: 'zip' }));
        const r = await send('n1', { payload: 'x' });
        should(r.caught.error.message).equal(`device 127.0.0.1:${env.sim.port} has a bad setting: uploadEncoding must be auto, multipart or octet-stream, got "zip"`);
        should(apiLog(env.sim)).have.length(0);
      });
    });

    describe('mediant-pm-read', function () {
      it(firmware === '7.4' ? 'on a device without /performanceMonitoring, the error says to use mediant-kpi' : 'reads PMs; an unknown PM is the device\'s 404, without a word on mediant-kpi', async function () {
        await load([pmNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-pm-read', name: '', pm: '', index: '', interval: 0, pollInterval: 0 }]));
        if (firmware === '7.4') {
          for (const msg of [{}, { pm: 'NetUtilKBytes' }, { pm: 'NetUtilKBytes', index: 0 }]) {
            const r = await send('n1', msg);
            should(r.caught.statusCode).equal(404);
            should(r.caught.error.message).endWith(' — this device has no /performanceMonitoring (firmware 7.4 and later): use a mediant-kpi node');
          }
          return;
        }
        const list = await send('n1', {});
        should(list.out.payload.items).containEql('NetUtilKBytes');
        const r = await send('n1', { pm: 'NoSuchPm' });
        should(r.caught.statusCode).equal(404);
        should(r.caught.error.message).equal('read PM failed: 404 Not Found: PM not found');
      });
    });
  });
}

if (FIRMWARES.includes('7.4')) {
  describe('nodes with a Monitor (read-only) account on firmware 7.4', function () {
    const env = useSimulator({ firmware: '7.4' });
    const MONITOR = { dev1: { username: 'Monitor', password: 'Monitor' } };
    const resetNode = require('../../nodes/mediant-reset.js');
    const alarmsNode = require('../../nodes/mediant-alarms-poll.js');

    it('mediant-status and mediant-alarms-poll work; mediant-reset gets a 403 that names the level it needs', async function () {
      env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'major', source: 'Board#1/Trunk#1' });
      const flow = flowFor(env.sim, [
        { id: 'n1', type: 'mediant-status', name: '' },
        { id: 'n2', type: 'mediant-alarms-poll', name: '', alarmType: 'active', pollInterval: 0, emitExisting: true, output: 'events' },
        { id: 'n3', type: 'mediant-reset', name: '', saveConfiguration: true, gracefulTimeout: 0, waitForRestart: false, restartTimeout: 600 },
      ]);
      await load([statusNode, alarmsNode, resetNode], flow, MONITOR);
      should((await send('n1', {})).out.statusCode).equal(200);
      const alarm = await send('n2', {});
      should(alarm.out).containDeep({ event: 'raised', payload: { description: 'Trunk is down' } });
      const refused = await send('n3', {});
      should(refused.caught.statusCode).equal(403);
      should(refused.caught.error.message).equal(
        'reset failed: 403 Forbidden: access denied for this user level — this needs a user of level Administrator or higher on firmware 7.4 and later, a Security Administrator on 7.0 and 7.2',
      );
      should(env.sim.control.state().bootCount).equal(1);
      env.sim.control.clearAllAlarms();
    });
  });
}

'use strict';
// What differs between firmware 7.0, 7.2 and 7.4, through the client, against
// each simulator profile: the CLI script's status, the upload encoding chosen
// by firmware, an empty alarm list's 200 answer and 7.x cursors, downloads
// with the Accept a 7.x device takes, the 7.x /status fields.
const should = require('should');
const { multipartForVersion, statusFlag } = require('../../client');
const { useSimClient, clientFor, failsWith, settledLog } = require('./_common');
const { FIRMWARES } = require('../helpers/sim');

const SEVEN_X = (fw) => fw !== '7.0';

for (const firmware of FIRMWARES) {
  describe(`client: firmware ${firmware}`, function () {
    const env = useSimClient({ firmware });
    const lastUpload = () => env.sim.control.state().uploads.at(-1);

    describe('CLI script', function () {
      it('a script the device runs resolves with its output' + (firmware === '7.4' ? ' and status "success"' : ''), async function () {
        const r = await env.client.runCliScript('show system uptime');
        r.statusCode.should.equal(200);
        r.body.output.should.match(/^Uptime: /);
        if (firmware === '7.4') r.body.status.should.equal('success');
        else should(r.body.status).be.undefined();
      });

      it(firmware === '7.4' ? 'a script the device reports as failed (200, status "failure") rejects with EDEVICE, its description and output' : 'a script the device refuses is its 400', async function () {
        const p = env.client.runCliScript('show no-such-thing');
        if (firmware !== '7.4') {
          const err = await failsWith(p, 'EHTTP');
          err.statusCode.should.equal(400);
          return;
        }
        const err = await failsWith(p, 'EDEVICE');
        err.statusCode.should.equal(200);
        err.deviceStatus.should.equal('failure');
        err.description.should.startWith('Incremental CLI script is incorrect: line 1');
        err.output.should.startWith('Error: line 1');
        err.message.should.startWith('run CLI script failed: the device reports status "failure": Incremental CLI script is incorrect: line 1');
        err.message.should.containEql(' — Error: line 1');
      });
    });

    describe('uploads by firmware', function () {
      const expected = SEVEN_X(firmware) ? 'multipart/form-data' : 'application/octet-stream';

      it(`sends ${expected} after reading the version once; a pinned encoding reads nothing`, async function () {
        const c = clientFor(env.sim);
        try {
          env.sim.control.clearLog();
          await c.uploadFile('dialplan', 'plan A');
          lastUpload().contentType.should.startWith(expected);
          await c.runCliScript('show system uptime');
          lastUpload().contentType.should.startWith(expected);
          const log = await settledLog(env.sim, '/api/v1/files/cliScript/incremental');
          log.map((e) => `${e.method} ${e.path}`).should.eql(['GET /api/v1/status', 'PUT /api/v1/files/dialplan', 'PUT /api/v1/files/cliScript/incremental']);
          // per call, and pinned for the client
          await c.uploadFile('dialplan', 'plan B', { multipart: !SEVEN_X(firmware) });
          lastUpload().contentType.should.not.startWith(expected);
        } finally {
          await c.destroy();
        }
        for (const multipartUploads of [true, false]) {
          const pinned = clientFor(env.sim, { multipartUploads });
          try {
            env.sim.control.clearLog();
            await pinned.putLicenseFile(`${env.sim.control.state().license.serialNumber} AAAAAAAAAAAA\n`);
            lastUpload().contentType.should.startWith(multipartUploads ? 'multipart/form-data' : 'application/octet-stream');
            (await settledLog(env.sim, '/api/v1/license')).map((e) => e.path).should.eql(['/api/v1/license']);
            await env.sim.control.waitUntilUp();
          } finally {
            await pinned.destroy();
          }
        }
      });

      it('a /status already read decides, and a software upload (another firmware, maybe) makes it read again', async function () {
        const c = clientFor(env.sim);
        try {
          await c.getStatus();
          env.sim.control.clearLog();
          await c.uploadFile('software', Buffer.alloc(1024, 1));
          lastUpload().contentType.should.startWith(expected);
          await env.sim.control.waitUntilUp();
          await c.uploadFile('prt', 'tones');
          (await settledLog(env.sim, '/api/v1/files/prt')).map((e) => `${e.method} ${e.path}`).should.eql(['PUT /api/v1/files/software', 'GET /api/v1/status', 'PUT /api/v1/files/prt']);
        } finally {
          await c.destroy();
        }
      });
    });

    describe('alarm pages', function () {
      it(SEVEN_X(firmware) ? 'the 200 answer without "alarms" of an empty list is a page with none' : 'an empty list is a 204: no page', async function () {
        env.sim.control.clearAllAlarms();
        const r = await env.client.getAlarmPage('active');
        if (SEVEN_X(firmware)) {
          r.statusCode.should.equal(200);
          r.body.should.eql({ alarms: [], cursor: { after: '-1', before: '-1', start: '-1', end: '-1' } });
        } else {
          r.statusCode.should.equal(204);
          should(r.body).be.null();
        }
        const all = [];
        for await (const a of env.client.iterateAlarms('active')) all.push(a);
        all.should.eql([]);
      });

      it('pages through the list' + (SEVEN_X(firmware) ? ', keeping the cursor\'s start and end' : ''), async function () {
        env.sim.control.clearAllAlarms();
        for (let i = 0; i < 5; i++) env.sim.control.raiseAlarm({ description: `alarm ${i}`, severity: 'minor', source: `Board#1/Trunk#${i + 1}` });
        const first = await env.client.getAlarmPage('active', { limit: 2 });
        first.body.alarms.should.have.length(2);
        first.body.alarms.every((a) => typeof a.id === 'string').should.be.true();
        if (SEVEN_X(firmware)) first.body.cursor.should.have.properties(['start', 'end']);
        else first.body.cursor.should.have.keys('after', 'before');
        const ids = [];
        for await (const a of env.client.iterateAlarms('active', { limit: 2 })) ids.push(a.description);
        ids.should.eql(['alarm 0', 'alarm 1', 'alarm 2', 'alarm 3', 'alarm 4']);
        env.sim.control.clearAllAlarms();
      });
    });

    it('downloads the INI file with an Accept the firmware takes', async function () {
      const r = await env.client.downloadFile('ini');
      r.body.should.match(/\[SYSTEM Params\]|=/);
      const log = await settledLog(env.sim, '/api/v1/files/ini');
      log.filter((e) => e.path === '/api/v1/files/ini').map((e) => e.status).should.eql([200]);
    });

    it('reads /status with the fields this firmware sends' + (SEVEN_X(firmware) ? ' (statusFlag reads saveNeeded whatever its JSON type)' : ''), async function () {
      const r = await env.client.getStatus();
      if (!SEVEN_X(firmware)) {
        r.body.highAvailability.should.equal('Stand Alone');
        r.body.should.not.have.property('saveNeeded');
        return;
      }
      r.body.highAvailability.should.equal('Not Operational');
      r.body.should.have.properties(['serialNumber', 'macAddress', 'systemUpTime', 'saveNeeded', 'resetNeeded', 'upgradeStatus']);
      (typeof r.body.saveNeeded).should.equal(firmware === '7.2' ? 'string' : 'boolean');
      await env.client.uploadFile('ini/incremental', 'MEDIACHANNELS = 301\n');
      await env.client.saveConfiguration();
      await env.client.uploadFile('ini/incremental', 'MEDIACHANNELS = 302\n');
      statusFlag((await env.client.getStatus()).body.saveNeeded).should.be.true();
      await env.client.saveConfiguration();
      statusFlag((await env.client.getStatus()).body.saveNeeded).should.be.false();
    });
  });
}

describe('client: firmware helpers', function () {
  it('multipartForVersion: 7.20 and later multipart, earlier not, unreadable unknown', function () {
    const cases = [
      ['7.40A.600.203', true],
      ['7.20A.258.459', true],
      ['7.2', true],
      ['7.60A.100.001', true],
      ['8.0.1', true],
      ['7.00A.018.005', false],
      ['7.10A.1', false],
      ['6.80A.2', false],
      ['  7.40A', true],
      ['Mediant 7.4', undefined],
      ['', undefined],
      [7.4, undefined],
      [undefined, undefined],
      [{ toString: () => '7.40A' }, undefined],
    ];
    for (const [v, want] of cases) should(multipartForVersion(v)).equal(want, String(v));
  });

  it('statusFlag: booleans, "true"/"false" in any case, 1/0; anything else undefined', function () {
    const cases = [
      [true, true],
      [false, false],
      ['true', true],
      ['False', false],
      [' TRUE ', true],
      [1, true],
      [0, false],
      ['yes', true],
      ['maybe', undefined],
      [null, undefined],
      [undefined, undefined],
      [2, undefined],
      [{}, undefined],
    ];
    for (const [v, want] of cases) should(statusFlag(v)).equal(want, String(v));
  });
});

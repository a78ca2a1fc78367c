'use strict';
// Every operation of the vendor document, one client method each, against the simulator.
const should = require('should');
const { FILE_TYPES, RESETTING_FILE_TYPES } = require('../../client');
const { useSimClient, settledLog } = require('./_common');
const { FIRMWARE, profileOf, hasFeature, uploadTypeOf } = require('../helpers/sim');

// The simulator plays FIRMWARE (7.0 unless MEDIANT_FIRMWARE says otherwise): what differs is read from its profile.
const PM = hasFeature('performanceMonitoring');

describe(`client: every endpoint (firmware ${FIRMWARE})`, function () {
  const env = useSimClient();

  describe('navigation', function () {
    it('reads the API root (/api)', async function () {
      const res = await env.client.getApiRoot();
      res.statusCode.should.equal(200);
      res.body.versions.map((v) => v.url).should.containEql('/api/v1');
    });

    it('reads the navigation tree (/api/v1)', async function () {
      const res = await env.client.getNavigation();
      const ids = res.body.items.map((i) => i.id);
      ids.should.containDeep(['actions', 'alarms', 'files', 'license', 'status']);
      ids.includes('performanceMonitoring').should.equal(PM);
      ids.includes('kpi').should.equal(hasFeature('kpi'));
    });

    it('reads the actions (/actions)', async function () {
      const res = await env.client.getActions();
      res.body.actions.map((a) => a.id).should.eql([...(hasFeature('authToken') ? ['authToken'] : []), 'reset', 'saveConfiguration']);
    });

    it('reads the files list (/files)', async function () {
      const res = await env.client.getFiles();
      res.body.files.map((f) => f.id).should.containDeep(['ini', 'software', 'cliScript']);
    });

    it('reads the alarms list (/alarms)', async function () {
      const res = await env.client.getAlarmsRoot();
      res.body.alarms.map((a) => a.id).should.eql(['active', 'history']);
    });
  });

  describe('status', function () {
    it('reads the device status', async function () {
      const res = await env.client.getStatus();
      res.statusCode.should.equal(200);
      res.body.should.have.properties('operationalState', 'versionID', 'highAvailability');
      res.body.ipAddress.should.equal('127.0.0.1');
      res.headers['content-type'].should.match(/application\/json/);
    });
  });

  describe('actions', function () {
    it('saves the configuration: an empty 200 answer is {}', async function () {
      await env.client.uploadFile('ini/incremental', 'EnableSyslog = 0\n');
      env.sim.control.state().unsaved.should.be.true();
      const res = await env.client.saveConfiguration();
      res.statusCode.should.equal(200);
      res.body.should.eql({});
      env.sim.control.state().unsaved.should.be.false();
    });

    it('resets without saving: the unsaved change is lost after the reboot', async function () {
      const bootCount = env.sim.control.state().bootCount;
      await env.client.uploadFile('ini/incremental', 'MEDIACHANNELS = 77\n');
      env.sim.control.state().ini.should.match(/MEDIACHANNELS = 77/);
      const res = await env.client.reset({ saveConfiguration: false, gracefulTimeout: 0 });
      res.statusCode.should.equal(200);
      res.body.description.should.equal('Device will reset now');
      await env.sim.control.waitUntilUp();
      const st = env.sim.control.state();
      st.bootCount.should.equal(bootCount + 1);
      st.ini.should.not.match(/MEDIACHANNELS = 77/);
    });

    it('resets with saving (the default): the change survives', async function () {
      await env.client.uploadFile('ini/incremental', 'MEDIACHANNELS = 55\n');
      await env.client.reset();
      await env.sim.control.waitUntilUp();
      env.sim.control.state().ini.should.match(/MEDIACHANNELS = 55/);
    });
  });

  describe('files', function () {
    it('uploads every file type of the document', async function () {
      env.sim.control.setHaMode(true); // hitless upgrade is accepted in HA mode only
      const bodies = {
        ini: '[SYSTEM Params]\r\nEnableSyslog = 1\r\n',
        'ini/incremental': 'EnableSyslog = 1\r\n',
        cliScript: 'configure system\n hostname "sbc-1"\n exit\n',
        'cliScript/incremental': 'show system uptime\n',
      };
      for (const type of FILE_TYPES) {
        const body = bodies[type] || Buffer.from(`${type} content ${Date.now()}`);
        const res = await env.client.uploadFile(type, body);
        res.statusCode.should.equal(200, type);
        res.body.should.be.an.Object();
        const last = env.sim.control.state().uploads.slice(-1)[0];
        last.fileType.should.equal(type);
        last.bytes.should.equal(Buffer.byteLength(body));
        last.contentType.should.startWith(uploadTypeOf());
        if (RESETTING_FILE_TYPES.includes(type)) await env.sim.control.waitUntilUp();
      }
    });

    it('answers {} to an incremental INI upload (empty 200 body)', async function () {
      const res = await env.client.uploadFile('ini/incremental', Buffer.from('GWDEBUGLEVEL = 5\n'));
      res.body.should.eql({});
    });

    it('downloads the INI file as a UTF-8 string', async function () {
      await env.client.uploadFile('ini/incremental', 'SyslogServerIP = 10.9.8.7\n');
      const res = await env.client.downloadFile('ini');
      res.statusCode.should.equal(200);
      res.body.should.be.a.String();
      res.body.should.match(/SyslogServerIP = 10\.9\.8\.7/);
    });

    it('downloads the CLI script as a UTF-8 string', async function () {
      await env.client.runCliScript('configure system\n hostname "client-test-7"\n exit\n');
      const res = await env.client.downloadFile('cliScript');
      res.body.should.be.a.String();
      res.body.should.match(/hostname "client-test-7"/);
    });

    it('runs an incremental CLI script and returns its output', async function () {
      const res = await env.client.runCliScript('show system uptime\n');
      res.statusCode.should.equal(200);
      res.body.description.should.equal(profileOf().cli.loaded);
      res.body.output.should.match(/[Uu]ptime/);
    });
  });

  describe('alarms', function () {
    beforeEach(function () {
      env.sim.control.clearAllAlarms();
    });

    it('reads a page of active alarms with limit and the after cursor, and 204 as null', async function () {
      const ids = ['A', 'B', 'C'].map((d) => env.sim.control.raiseAlarm({ description: `Alarm ${d}` }).id);
      const p1 = await env.client.getAlarmPage('active', { limit: 2 });
      p1.statusCode.should.equal(200);
      p1.body.alarms.map((a) => a.id).should.eql(ids.slice(0, 2));
      p1.body.cursor.after.should.equal(ids[1]);
      const p2 = await env.client.getAlarmPage('active', { limit: 2, after: p1.body.cursor.after });
      p2.body.alarms.map((a) => a.id).should.eql([ids[2]]);
      p2.body.cursor.after.should.equal('-1');
      const p3 = await env.client.getAlarmPage('active', { after: ids[2] });
      p3.statusCode.should.equal(204);
      should(p3.body).be.null();
    });

    it('reads backwards with the before cursor', async function () {
      const ids = ['A', 'B', 'C'].map((d) => env.sim.control.raiseAlarm({ description: `Alarm ${d}` }).id);
      const res = await env.client.getAlarmPage('active', { limit: 5, before: ids[2] });
      res.body.alarms.map((a) => a.id).should.eql(ids.slice(0, 2));
    });

    it('reads history pages', async function () {
      const a = env.sim.control.raiseAlarm({ description: 'Trunk is down' });
      env.sim.control.clearAlarm(a.id);
      const res = await env.client.getAlarmPage('history');
      res.body.alarms.length.should.be.aboveOrEqual(2);
      res.body.alarms.map((x) => x.description).should.containEql('Trunk is down');
    });

    it('iterates every alarm across pages, in device order', async function () {
      const ids = [];
      for (let i = 0; i < 45; i++) ids.push(env.sim.control.raiseAlarm({ description: `Alarm ${i}` }).id);
      env.sim.control.clearLog();
      const seen = [];
      for await (const a of env.client.iterateAlarms('active', { limit: 10 })) seen.push(a.id);
      seen.should.eql(ids);
      const pages = (await settledLog(env.sim, `/api/v1/alarms/active?limit=10&after=${ids[39]}`)).filter((e) => e.path.startsWith('/api/v1/alarms/active'));
      pages.length.should.equal(5);
    });

    it('iterates nothing when there are no alarms (204)', async function () {
      const seen = [];
      for await (const a of env.client.iterateAlarms('active')) seen.push(a);
      seen.should.eql([]);
    });

    it('stops with an error past maxPages', async function () {
      for (let i = 0; i < 5; i++) env.sim.control.raiseAlarm({ description: `Alarm ${i}` });
      const seen = [];
      let err;
      try {
        for await (const a of env.client.iterateAlarms('active', { limit: 1, maxPages: 3 })) seen.push(a.id);
      } catch (e) {
        err = e;
      }
      should.exist(err);
      err.code.should.equal('ERESPONSE');
      err.message.should.match(/more than 3 pages/);
      seen.length.should.equal(3);
    });

    it('reads one active alarm and one history alarm', async function () {
      const a = env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
      const res = await env.client.getAlarm('active', a.id);
      res.body.should.containDeep({ id: a.id, description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
      res.body.should.have.properties('date', 'url');
      const hist = await env.client.getAlarmPage('history');
      const h = hist.body.alarms[hist.body.alarms.length - 1];
      const hres = await env.client.getAlarm('history', h.id);
      hres.body.id.should.equal(h.id);
      hres.body.url.should.equal(`/api/v1/alarms/history/${h.id}`);
    });
  });

  // firmware 7.4 has no /performanceMonitoring (test/client/kpi.test.js reads its /kpi)
  (PM ? describe : describe.skip)('performance monitoring', function () {
    it('lists the PMs', async function () {
      const res = await env.client.listPms();
      res.body.items.should.containEql('NetUtilPackets');
    });

    it('discovers a PM\'s indexes, intervals and thresholds', async function () {
      const res = await env.client.getPmDiscovery('NetUtilPackets');
      res.body.should.containDeep({ indexes: [0, 1], intervalsPerIndex: [0, 1, 2] });
      res.body.should.have.properties('lowThreshold', 'highThreshold');
    });

    it('reads a PM value for an index and interval', async function () {
      env.sim.control.setPmValue('NetUtilPackets', 1, 4242);
      const res = await env.client.getPmValue('NetUtilPackets', { index: 1 });
      res.body.should.containDeep({ index: 1, interval: 0, value: 4242 });
      const last = await env.client.getPmValue('NetUtilPackets', { index: 0, interval: 2 });
      last.body.should.containDeep({ index: 0, interval: 2 });
      last.body.value.should.be.a.Number();
    });
  });

  describe('license', function () {
    it('reads the license', async function () {
      const res = await env.client.getLicense();
      res.body.licenseVersion.should.equal(1);
      res.body.should.have.properties('serialNumber', 'key', 'keyDescription');
    });

    it('puts a license key as JSON', async function () {
      const serialNumber = (await env.client.getLicense()).body.serialNumber;
      const res = await env.client.putLicense({ licenseVersion: 1, serialNumber, key: 'NewKey0123456789abcd' });
      res.body.description.should.match(/license/);
      await env.sim.control.waitUntilUp();
      env.sim.control.state().license.key.should.equal('NewKey0123456789abcd');
    });

    it(`puts a license file (${uploadTypeOf()})`, async function () {
      const serialNumber = (await env.client.getLicense()).body.serialNumber;
      const file = `# license file\n999999999 OtherDeviceKey000\n${serialNumber} FileKey0123456789abc\n`;
      const res = await env.client.putLicenseFile(Buffer.from(file));
      res.statusCode.should.equal(200);
      await env.sim.control.waitUntilUp();
      env.sim.control.state().license.key.should.equal('FileKey0123456789abc');
      env.sim.control.state().uploads.slice(-1)[0].contentType.should.startWith(uploadTypeOf());
    });
  });

  describe('generic request', function () {
    it('GETs any path under /api/v1 and parses JSON', async function () {
      const res = await env.client.request({ method: 'GET', path: '/status' });
      res.body.operationalState.should.equal('UNLOCKED');
    });

    it('keeps a query string', async function () {
      env.sim.control.clearAllAlarms();
      env.sim.control.raiseAlarm({ description: 'one' });
      env.sim.control.raiseAlarm({ description: 'two' });
      const res = await env.client.request({ method: 'GET', path: 'alarms/active?limit=1' });
      res.body.alarms.length.should.equal(1);
    });

    it('follows a url from a navigation answer', async function () {
      const nav = await env.client.getNavigation();
      const url = nav.body.items.find((i) => i.id === 'alarms').url;
      const res = await env.client.request({ method: 'GET', path: url });
      res.body.alarms.map((a) => a.id).should.eql(['active', 'history']);
    });

    it('returns null for an empty answer (204 or no body)', async function () {
      env.sim.control.clearAllAlarms();
      // a page after a cursor with nothing there: 204 on every firmware
      const res = await env.client.request({ method: 'GET', path: '/alarms/active?after=1' });
      res.statusCode.should.equal(204);
      should(res.body).be.null();
      const save = await env.client.request({ method: 'POST', path: '/actions/saveConfiguration' });
      should(save.body).be.null();
    });

    it('returns text for a file download and sends a JSON object body', async function () {
      const res = await env.client.request({ method: 'GET', path: '/files/ini', accept: 'application/octet-stream' });
      Buffer.isBuffer(res.body).should.be.true();
      res.body.toString('utf8').should.match(/\[SYSTEM Params\]/);
      const serialNumber = (await env.client.getLicense()).body.serialNumber;
      const put = await env.client.request({ method: 'PUT', path: '/license', body: { licenseVersion: 1, serialNumber, key: 'ViaRequest0123456789' } });
      put.body.description.should.match(/license/);
      await env.sim.control.waitUntilUp();
      env.sim.control.state().license.key.should.equal('ViaRequest0123456789');
    });

    it('sends a string body as octet-stream', async function () {
      const res = await env.client.request({ method: 'PUT', path: '/files/ini/incremental', body: 'GWDEBUGLEVEL = 7\n', operation: 'apply ini' });
      res.statusCode.should.equal(200);
      env.sim.control.state().uploads.slice(-1)[0].contentType.should.equal('application/octet-stream');
      env.sim.control.state().ini.should.match(/GWDEBUGLEVEL = 7/);
    });
  });
});

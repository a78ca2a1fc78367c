'use strict';
// Firmware profiles: what 7.0 (the 2015 document), 7.2 and 7.4 answer where they differ.
// Each behaviour runs against every firmware, with what that firmware answers (or refuses).
const should = require('should');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { startSimulator } = require('../../simulator');
const { simPerTest, api, ctl, basic, jsonBody, octet, multipartFile, FIRMWARES } = require('./_util');

const MONITOR = basic('Monitor', 'Monitor');
const OPERATOR = basic('Operator', 'Operator');

const FILES_2015 = ['ini', 'ini/incremental', 'software', 'software/hitless', 'cliScript', 'cliScript/incremental', 'amd', 'castable', 'codertable', 'cpt', 'dialplan', 'prt', 'voiceprompts'];

/** What each firmware offers, as a client would see it. */
const EXPECT = {
  '7.0': {
    version: /^7\.00A\./,
    nav: ['actions', 'alarms', 'files', 'license', 'performanceMonitoring', 'status'],
    actions: ['reset', 'saveConfiguration'],
    files: FILES_2015,
    statusKeys: [],
    ha: ['Stand Alone', 'Active'],
    stamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
  },
  '7.2': {
    version: /^7\.20A\./,
    nav: ['actions', 'alarms', 'files', 'license', 'performanceMonitoring', 'status'],
    actions: ['reset', 'saveConfiguration'],
    files: FILES_2015,
    statusKeys: ['serialNumber', 'macAddress', 'systemUpTime', 'saveNeeded', 'resetNeeded', 'upgradeStatus'],
    flags: 'string',
    ha: ['Not Operational', 'Operational'],
    stamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
  },
  '7.4': {
    version: /^7\.40A\./,
    nav: ['actions', 'alarms', 'files', 'kpi', 'license', 'sipTestCall', 'status'],
    actions: ['authToken', 'reset', 'saveConfiguration'],
    files: [...FILES_2015, 'configurationPackage.tar.gz', 'debugFile', 'debugFileRedundant', 'sbcWizard', 'tls'],
    statusKeys: ['serialNumber', 'macAddress', 'systemUpTime', 'saveNeeded', 'resetNeeded', 'upgradeStatus', 'osType', 'acceleratedNetworking'],
    flags: 'boolean',
    ha: ['Not Operational', 'Operational'],
    stamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00$/,
  },
};

const STATUS_2015 = ['localTimeStamp', 'ipAddress', 'subnetMask', 'defaultGateway', 'productType', 'versionID', 'protocolType', 'operationalState', 'highAvailability'];

/** Requests that exist on 7.4 only (and 404 on the others), and those 7.4 dropped. */
const ONLY_74 = [
  ['GET', '/api/v1/kpi'],
  ['GET', '/api/v1/kpi/current'],
  ['GET', '/api/v1/kpi/current/sbc/callStats/global'],
  ['GET', '/api/v1/sipTestCall'],
  ['GET', '/api/v1/sipTestCall/show'],
  ['POST', '/api/v1/actions/authToken'],
  ['GET', '/api/v1/files/tls'],
  ['GET', '/api/v1/files/tls/0/certificate'],
  ['POST', '/api/v1/files/create/debugFile'],
  ['GET', '/api/v1/files/debugFile'],
  ['PUT', '/api/v1/files/sbcWizard'],
];
const NOT_ON_74 = [
  ['GET', '/api/v1/performanceMonitoring'],
  ['GET', '/api/v1/performanceMonitoring/NetUtilKBytes?index=0'],
];

describe('simulator: firmware profiles', function () {
  describe('choosing the firmware', () => {
    it('startSimulator() plays 7.4 when no firmware is given (what a device bought today runs)', async () => {
      const sim = await startSimulator({ port: 0 });
      try {
        sim.control.state().firmware.should.equal('7.4');
        (await api(sim, 'GET', '/api/v1/status')).json.versionID.should.match(/^7\.40A\./);
      } finally {
        await sim.close();
      }
    });

    it('refuses a firmware it does not know, and a bad UTC offset', async () => {
      for (const firmware of ['7.3', '7', 74, 'latest']) {
        await startSimulator({ port: 0, firmware }).should.be.rejectedWith(TypeError, { message: /firmware must be one of 7\.0, 7\.2, 7\.4/ });
      }
      await startSimulator({ port: 0, utcOffsetMinutes: 1000 }).should.be.rejectedWith(TypeError);
      await startSimulator({ port: 0, utcOffsetMinutes: 1.5 }).should.be.rejectedWith(TypeError);
    });

    describe('mediant-sim --firmware', () => {
      const cli = path.join(__dirname, '..', '..', 'simulator', 'cli.js');
      const children = [];
      afterEach(() => {
        for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
      });
      function run(args) {
        const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(child);
        let out = '';
        const url = new Promise((resolve, reject) => {
          const seen = () => {
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
            if (m) resolve(m[1]);
          };
          child.stdout.on('data', (d) => ((out += d), seen()));
          child.stderr.on('data', (d) => (out += d));
          child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
        });
        const exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
        return { child, url, exit, output: () => out };
      }

      it('defaults to 7.4 and says so; --firmware 7.2 plays 7.2', async () => {
        const a = run(['--port', '0']);
        const b = run(['--port', '0', '--firmware', '7.2']);
        const [ua, ub] = await Promise.all([a.url, b.url]);
        a.output().should.match(/firmware 7\.4/);
        b.output().should.match(/firmware 7\.2/);
        (await api({ url: ua }, 'GET', '/api/v1/status')).json.versionID.should.match(/^7\.40A\./);
        (await api({ url: ub }, 'GET', '/api/v1/status')).json.versionID.should.match(/^7\.20A\./);
        // 7.4: the read-only user the CLI creates reads status
        (await api({ url: ua }, 'GET', '/api/v1/status', { auth: MONITOR })).status.should.equal(200);
        a.child.kill('SIGTERM');
        b.child.kill('SIGTERM');
        (await a.exit).should.equal(0);
        (await b.exit).should.equal(0);
      });

      it('refuses an unknown firmware with exit code 2', async () => {
        const p = run(['--port', '0', '--firmware', '8.0']);
        await p.url.catch(() => undefined);
        (await p.exit).should.equal(2);
        p.output().should.match(/--firmware must be one of 7\.0, 7\.2, 7\.4/);
      });
    });
  });

  for (const fw of FIRMWARES) {
    const x = EXPECT[fw];
    describe(`firmware ${fw}`, () => {
      const env = simPerTest({ firmware: fw });

      it('lists its resources in the navigation tree, /actions and /files, and every listed url answers', async () => {
        const nav = (await api(env.sim, 'GET', '/api/v1')).json.items;
        nav.map((i) => i.id).should.deepEqual(x.nav);
        for (const i of nav) {
          i.url.should.equal(`/api/v1/${i.id}`);
          (await api(env.sim, 'GET', i.url)).status.should.equal(200, i.url);
        }
        (await api(env.sim, 'GET', '/api/v1/actions')).json.actions.map((a) => a.id).should.deepEqual(x.actions);
        (await api(env.sim, 'GET', '/api/v1/files')).json.files.map((f) => f.id).should.deepEqual(x.files);
      });

      it(fw === '7.4' ? 'answers 404 for /performanceMonitoring, which 7.4 replaced with /kpi' : 'answers 404 for the resources 7.4 added', async () => {
        const absent = fw === '7.4' ? NOT_ON_74 : ONLY_74;
        for (const [method, p] of absent) {
          const r = await api(env.sim, method, p, method === 'GET' ? {} : jsonBody({}));
          r.status.should.equal(404, `${method} ${p}`);
          r.json.should.have.property('description');
        }
      });

      it('GET /status: the 2015 fields, then this firmware’s, with their JSON types', async () => {
        const r = await api(env.sim, 'GET', '/api/v1/status');
        r.status.should.equal(200);
        Object.keys(r.json).should.deepEqual([...STATUS_2015, ...x.statusKeys]);
        r.json.versionID.should.match(x.version);
        r.json.highAvailability.should.equal(x.ha[0]);
        r.json.localTimeStamp.should.match(x.stamp);
        Math.abs(Date.parse(r.json.localTimeStamp) - Date.now()).should.be.below(60000);
        if (!x.statusKeys.length) return;
        r.json.serialNumber.should.match(/^[0-9]+$/);
        r.json.macAddress.should.match(/^[0-9a-f]{12}$/);
        Number.isInteger(r.json.systemUpTime).should.be.true();
        r.json.systemUpTime.should.be.aboveOrEqual(0);
        should(r.json.saveNeeded).equal(x.flags === 'boolean' ? false : 'false');
        should(r.json.resetNeeded).equal(x.flags === 'boolean' ? false : 'false');
        r.json.upgradeStatus.should.equal('None');
      });

      it('highAvailability in HA mode', async () => {
        env.sim.control.setHaMode(true);
        (await api(env.sim, 'GET', '/api/v1/status')).json.highAvailability.should.equal(x.ha[1]);
      });

      if (x.statusKeys.length) {
        it('saveNeeded follows unsaved configuration; resetNeeded follows a file that waits for a reset', async () => {
          const flag = (v) => (x.flags === 'boolean' ? v : String(v));
          (await api(env.sim, 'PUT', '/api/v1/files/ini/incremental', octet('[SYSTEM Params]\nNewParam = 1\n'))).status.should.equal(200);
          should((await api(env.sim, 'GET', '/api/v1/status')).json.saveNeeded).equal(flag(true));
          (await api(env.sim, 'POST', '/api/v1/actions/saveConfiguration')).status.should.equal(200);
          should((await api(env.sim, 'GET', '/api/v1/status')).json.saveNeeded).equal(flag(false));
          (await api(env.sim, 'PUT', '/api/v1/files/cpt', octet('tones'))).status.should.equal(200);
          should((await api(env.sim, 'GET', '/api/v1/status')).json.resetNeeded).equal(flag(true));
          env.sim.control.state().resetNeeded.should.be.true();
          env.sim.control.reboot(0);
          await env.sim.control.waitUntilUp();
          should((await api(env.sim, 'GET', '/api/v1/status')).json.resetNeeded).equal(flag(false));
        });
      }

      it('privileges: who may do what', async () => {
        const rows = [
          // [who, method, path, body]
          [MONITOR, 'GET', '/api/v1/status'],
          [MONITOR, 'GET', '/api/v1/alarms/active'],
          [MONITOR, 'GET', '/api/v1'],
          [MONITOR, 'GET', '/api/v1/actions'],
          [MONITOR, 'GET', '/api/v1/files'],
          [MONITOR, 'GET', '/api/v1/license'],
          [OPERATOR, 'GET', '/api/v1/actions'],
          [OPERATOR, 'POST', '/api/v1/actions/saveConfiguration'],
          [OPERATOR, 'GET', '/api/v1/files/ini'],
          [OPERATOR, 'GET', '/api/v1/license'],
          [OPERATOR, 'PUT', '/api/v1/license', { licenseVersion: 1, key: 'not a key' }],
          [OPERATOR, 'GET', '/api/v1/status'],
        ];
        // 7.4's table; 7.0 and 7.2 want a Security Administrator everywhere
        const allowed74 = (who, method, p) =>
          who === OPERATOR ? !(method === 'PUT' && p === '/api/v1/license') : ['/api/v1/status', '/api/v1/alarms/active', '/api/v1'].includes(p);
        for (const [who, method, p, body] of rows) {
          const r = await api(env.sim, method, p, { ...(body ? jsonBody(body) : {}), auth: who });
          const name = `${who === MONITOR ? 'Monitor' : 'Operator'} ${method} ${p}`;
          if (fw === '7.4' && allowed74(who, method, p)) r.status.should.not.equal(403, name);
          else {
            r.status.should.equal(403, name);
            r.json.description.should.be.a.String();
          }
        }
        // a Security Administrator gets past the check everywhere (a bad license key is a 400, not a 403)
        (await api(env.sim, 'PUT', '/api/v1/license', jsonBody({ licenseVersion: 1, key: 'not a key' }))).status.should.equal(400);
      });

      it('file downloads: application/octet-stream always; text/plain as 7.x devices take it; application/json never', async () => {
        for (const file of ['ini', 'cliScript']) {
          const ok = await api(env.sim, 'GET', `/api/v1/files/${file}`, { headers: { accept: 'application/octet-stream' } });
          ok.status.should.equal(200);
          const plain = await api(env.sim, 'GET', `/api/v1/files/${file}`, { headers: { accept: 'text/plain' } });
          if (fw === '7.0') plain.status.should.equal(406);
          else {
            plain.status.should.equal(200);
            plain.headers['content-type'].should.equal('application/octet-stream');
            plain.text.should.equal(ok.text);
          }
          (await api(env.sim, 'GET', `/api/v1/files/${file}`, { headers: { accept: 'application/json' } })).status.should.equal(406);
        }
      });

      it('uploads accept application/octet-stream and multipart/form-data (part "file")', async () => {
        const ini = '[SYSTEM Params]\nUploadedParam = 7\n';
        (await api(env.sim, 'PUT', '/api/v1/files/ini/incremental', octet(ini))).status.should.equal(200);
        (await api(env.sim, 'PUT', '/api/v1/files/ini/incremental', multipartFile('[SYSTEM Params]\nOtherParam = 8\n', 'x.ini'))).status.should.equal(200);
        (await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', multipartFile('configure system\n hostname "mp"\nexit\n'))).status.should.equal(200);
        (await api(env.sim, 'PUT', '/api/v1/files/dialplan', multipartFile('dial plan'))).status.should.equal(200);
        const st = env.sim.control.state();
        st.ini.should.match(/UploadedParam = 7/).and.match(/OtherParam = 8/);
        st.cliScript.should.match(/hostname "mp"/);
        st.uploads.map((u) => u.contentType.split(';')[0]).should.deepEqual(['application/octet-stream', 'multipart/form-data', 'multipart/form-data', 'multipart/form-data']);
      });

      it('incremental CLI script: its answer, and a refused script', async () => {
        const good = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('show system version\n'));
        good.status.should.equal(200);
        good.json.output.should.match(/Software version: 7\./);
        if (fw === '7.0') good.json.should.have.properties({ description: 'Incremental CLI script file was loaded' }).and.not.have.property('status');
        if (fw === '7.2') good.json.should.have.properties({ description: 'Incremental CLI Script file was loaded.' }).and.not.have.property('status');
        if (fw === '7.4') good.json.should.have.properties({ status: 'success', description: 'Incremental CLI Script file was loaded.' });
        const before = env.sim.control.state().cliScript;
        const bad = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('configure system\n hostname "x"\nexit\nshow nonsense\n'));
        if (fw === '7.4') {
          // 7.4: a failed script is a 200 whose status is not "success"
          bad.status.should.equal(200);
          bad.json.status.should.not.equal('success');
          bad.json.description.should.match(/incorrect: line 4/);
          bad.json.output.should.match(/line 4/);
        } else {
          bad.status.should.equal(400);
          bad.json.description.should.match(/incorrect: line 4/);
        }
        // nothing of a refused script is applied
        env.sim.control.state().cliScript.should.equal(before);
      });

      it('alarm pages: an empty list, cursors, ids', async () => {
        const empty = await api(env.sim, 'GET', '/api/v1/alarms/active');
        if (fw === '7.0') empty.status.should.equal(204);
        else {
          // 7.x: the first page of an empty list is a 200 without an "alarms" list
          empty.status.should.equal(200);
          empty.json.should.deepEqual({ cursor: { start: '-1', after: '-1', before: '-1', end: '-1' } });
        }
        const c = env.sim.control;
        for (let i = 1; i <= 4; i++) c.raiseAlarm({ description: `Alarm ${i}` });
        c.clearAlarm(c.state().activeAlarms[1].id);
        const ids = c.state().activeAlarms.map((a) => a.id);
        ids.length.should.equal(3);
        ids.map(Number).should.deepEqual([...ids.map(Number)].sort((a, b) => a - b));
        if (fw === '7.0') ids.should.deepEqual(['1', '3', '4']); // 1, 2, 3, 4 raised; 2 cleared
        else ids.slice(1).some((id, i) => Number(id) - Number(ids[i]) > 2).should.be.true(); // 7.x: not sequential
        // paging one by one reaches every alarm once; 7.x cursors also carry start and end
        const seen = [];
        let q = '?limit=1';
        for (;;) {
          const r = await api(env.sim, 'GET', `/api/v1/alarms/active${q}`);
          r.status.should.equal(200);
          seen.push(...r.json.alarms.map((a) => a.id));
          if (fw === '7.0') Object.keys(r.json.cursor).should.deepEqual(['after', 'before']);
          else r.json.cursor.should.have.properties({ start: ids[0], end: ids[2] });
          if (r.json.cursor.after === '-1') break;
          q = `?limit=1&after=${r.json.cursor.after}`;
        }
        seen.should.deepEqual(ids);
        (await api(env.sim, 'GET', `/api/v1/alarms/active?after=${ids[2]}`)).status.should.equal(204);
        const one = await api(env.sim, 'GET', `/api/v1/alarms/active/${ids[0]}`);
        one.json.date.should.match(x.stamp);
      });

      it('errors: "description" on the 2015 resources' + (fw === '7.4' ? ', "errorDescription" on /kpi and /sipTestCall' : ''), async () => {
        const old = await api(env.sim, 'GET', '/api/v1/alarms/active/999999');
        old.status.should.equal(404);
        Object.keys(old.json).should.deepEqual(['description']);
        if (fw !== '7.4') return;
        for (const [method, p, status] of [
          ['GET', '/api/v1/kpi/current/nothing', 400],
          ['GET', '/api/v1/kpi/current/sbc/callStats/global/nothing', 404],
          ['POST', '/api/v1/kpi/current', 405],
          ['GET', '/api/v1/sipTestCall/getStatus', 400],
          ['GET', '/api/v1/sipTestCall/getStatus?sessionId=1', 404],
          ['POST', '/api/v1/sipTestCall/drop?sessionId=1', 405],
          ['POST', '/api/v1/sipTestCall/dial', 400],
        ]) {
          const r = await api(env.sim, method, p, method === 'GET' ? {} : jsonBody({}));
          r.status.should.equal(status, `${method} ${p}`);
          Object.keys(r.json).should.deepEqual(['errorDescription'], `${method} ${p}`);
        }
      });
    });
  }

  describe('firmware 7.4 specifics', () => {
    const env = simPerTest({ firmware: '7.4', utcOffsetMinutes: -330 });

    it('timestamps carry the device clock’s offset (utcOffsetMinutes), and name the same instant', async () => {
      const before = Date.now();
      const a = env.sim.control.raiseAlarm({ description: 'Offset check' });
      const r = await api(env.sim, 'GET', '/api/v1/status');
      r.json.localTimeStamp.should.match(/-05:30$/);
      (Date.parse(r.json.localTimeStamp) - before).should.be.within(-1000, 60000);
      const d = (await api(env.sim, 'GET', `/api/v1/alarms/active/${a.id}`)).json.date;
      d.should.match(/-05:30$/);
      Math.abs(Date.parse(d) - Date.parse(a.date)).should.be.below(1000);
    });

    it('the 403 does not name the level needed: a client must know it, not repeat the device', async () => {
      const r = await api(env.sim, 'GET', '/api/v1/files', { auth: MONITOR });
      r.status.should.equal(403);
      r.json.description.should.not.match(/Monitor|Administrator/);
    });

    it('the state view says which firmware runs', async () => {
      env.sim.control.state().firmware.should.equal('7.4');
      (await ctl(env.sim, 'GET', '/state')).json.firmware.should.equal('7.4');
    });
  });
});

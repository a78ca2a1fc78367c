'use strict';
/**
 * Node versions and migrations (issue 11). One fixture per node type and
 * version in fixtures/migrations/ (`<type>.v<N>.json`): a node as that
 * version of the package stored it (version 0: no `version`, taken from the
 * examples as they were before fleets). Each fixture, migrated, is the next
 * version's; a node stored at any version behaves as it did; the editor gets
 * the same steps through the settings Node-RED exports to it.
 */
const fs = require('node:fs');
const path = require('node:path');
const should = require('should');
const { helper, PASSWORD, SIM_USERS, logLines } = require('../helpers/mediant-flow');
const { startSim, resetSim } = require('../helpers/sim');
const { MIGRATIONS, currentVersion, migrate, settingsPrefix } = require('../../nodes/lib/migrations.js');

const DIR = path.join(__dirname, 'fixtures', 'migrations');
const fixture = (type, v) => JSON.parse(fs.readFileSync(path.join(DIR, `${type}.v${v}.json`), 'utf8'));
const TYPES = Object.keys(require('../../package.json')['node-red'].nodes);
const CONFIG_TYPES = ['mediant-device', 'mediant-cluster'];

describe('node versions and migrations', function () {
  it('every node type has numbered steps and a fixture per version, 0 to the current', function () {
    for (const type of TYPES) {
      should(MIGRATIONS).have.property(type);
      const steps = MIGRATIONS[type];
      steps.map((s) => s.version).should.eql(steps.map((_s, i) => i + 1), `${type}: steps numbered 1, 2, …`);
      for (let v = 0; v <= currentVersion(type); v++) {
        fs.existsSync(path.join(DIR, `${type}.v${v}.json`)).should.be.true(`${type}: no fixture for version ${v}`);
      }
    }
  });

  for (const type of TYPES) {
    it(`${type}: each version's fixture, migrated, is the next one's; the current one is left as it is`, function () {
      const current = currentVersion(type);
      for (let v = 0; v < current; v++) {
        const up = migrate(type, fixture(type, v));
        // every step up to the current one: compare with the newest fixture
        should(up).eql(fixture(type, current), `${type} v${v}`);
      }
      should(migrate(type, fixture(type, current))).eql(fixture(type, current));
      should(fixture(type, 0)).not.have.property('version');
    });
  }

  it('a property a node already has is never overwritten, and the stored flow object is not touched', function () {
    const stored = { ...fixture('mediant-status', 0), deviceFrom: 'msg' };
    const up = migrate('mediant-status', stored);
    up.deviceFrom.should.equal('msg');
    up.version.should.equal(1);
    stored.should.not.have.property('version');
  });

  it("Node-RED's own hidden properties (_flow, _alias) go with the migrated copy", function () {
    const stored = fixture('mediant-status', 0);
    Object.defineProperty(stored, '_flow', { value: { id: 'flow' }, enumerable: false });
    const up = migrate('mediant-status', stored);
    up._flow.should.eql({ id: 'flow' });
  });

  it('a version as text (an editor field) counts; anything else is version 0', function () {
    migrate('mediant-status', { version: '1' }).should.not.have.property('deviceFrom');
    migrate('mediant-status', { version: 'x' }).deviceFrom.should.equal('node');
    migrate('mediant-status', { version: -1 }).deviceFrom.should.equal('node');
  });

  it('the settings Node-RED exports to the editor carry each type\'s steps', async function () {
    // Every module registers its type (and settings) when loaded.
    const sim = await startSim({ users: SIM_USERS });
    try {
      await helper.startServer();
      await helper.load(
        TYPES.map((t) => require(`../../nodes/${t}.js`)),
        [],
      );
      const exported = {};
      require('@node-red/runtime/lib/settings').exportNodeSettings(exported);
      for (const type of TYPES) should(exported[`${settingsPrefix(type)}Migrations`]).eql(MIGRATIONS[type], type);
      settingsPrefix('mediant-alarms-poll').should.equal('mediantAlarmsPoll');
    } finally {
      await helper.unload();
      await helper.stopServer();
      await sim.close();
    }
  });

  describe('a node stored at each version behaves as it did', function () {
    this.timeout(30000);
    /** Devices A and B for each firmware (the PM node is 7.0's, the KPI and test call nodes 7.4's). */
    const sims = {};
    const FIRMWARE = { 'mediant-kpi': '7.4', 'mediant-test-call': '7.4' };
    let simA;
    let simB;
    before(async function () {
      // A reboot as long as the reset node's own test gives it: 300 ms can be
      // over before the reset node's first check (250 ms) reaches a loaded
      // simulator, and a device never seen down is waited for until restartTimeout.
      const opts = (firmware) => ({ users: SIM_USERS, firmware, bootTimeMs: 1500 });
      for (const firmware of ['7.0', '7.4']) sims[firmware] = [await startSim(opts(firmware)), await startSim(opts(firmware))];
      [simA, simB] = sims['7.0'];
      await helper.startServer();
    });
    after(async function () {
      await helper.stopServer();
      for (const pair of Object.values(sims)) for (const sim of pair) await sim.close();
    });
    afterEach(async function () {
      await helper.unload();
      [simA, simB] = sims['7.0'];
      for (const sim of Object.values(sims).flat()) {
        await resetSim(sim);
        sim.control.clearAllAlarms();
        sim.control.clearLog();
      }
    });

    const device = (id, sim, extra) => ({ ...fixture('mediant-device', 0), id, port: String(sim.port), host: '127.0.0.1', protocol: 'http', ...extra });
    const EXTRA = { 'mediant-upload-file': { payload: '[SYSTEM Params]\nSyslogServerIP = 10.1.2.4\n' } };
    const api = (sim) => sim.control.log().filter((e) => e.path.startsWith('/api'));

    for (const type of TYPES.filter((t) => !CONFIG_TYPES.includes(t))) {
      for (let v = 0; v <= currentVersion(type); v++) {
        it(`${type} v${v}: a message naming another device still acts on the node's own device`, async function () {
          [simA, simB] = sims[FIRMWARE[type] || '7.0'];
          const node = { ...fixture(type, v), id: 'n1', z: 'tab', device: 'devA', wires: [['out']] };
          const flow = [
            { id: 'tab', type: 'tab', label: 'fixtures' },
            device('devA', simA, { name: 'sbc-a' }),
            device('devB', simB, { name: 'sbc-b' }),
            node,
            { id: 'out', z: 'tab', type: 'helper' },
            { id: 'catch1', z: 'tab', type: 'catch', scope: ['n1'], uncaught: false, wires: [['caught']] },
            { id: 'caught', z: 'tab', type: 'helper' },
          ];
          const creds = { username: 'Admin', password: PASSWORD };
          // something for an alarms node to report, on both devices
          for (const sim of [simA, simB]) sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major' });
          await helper.load(
            [require('../../nodes/mediant-device.js'), require('@node-red/nodes/core/common/25-catch.js'), require(`../../nodes/${type}.js`)],
            flow,
            { devA: creds, devB: creds },
          );
          const got = new Promise((resolve) => {
            helper.getNode('out').once('input', (m) => resolve({ out: m }));
            helper.getNode('caught').once('input', (m) => resolve({ caught: m }));
          });
          helper.getNode('n1').receive({ device: 'sbc-b', ...(EXTRA[type] || {}) });
          const r = await got;
          if (r.caught) throw new Error(`caught: ${r.caught.error.message}`);
          should(r.out.device).equal('sbc-a');
          should(api(simA).length).be.above(0);
          should(api(simB)).eql([]);
        });
      }
    }

    it('mediant-device v0 has no group; v1 keeps its group', async function () {
      await helper.load([require('../../nodes/mediant-device.js')], [device('devA', simA), device('devB', simB, { ...fixture('mediant-device', 1), id: 'devB', port: String(simB.port), host: '127.0.0.1', protocol: 'http', group: ' core ' })]);
      should(helper.getNode('devA').group).equal('');
      should(helper.getNode('devB').group).equal('core');
    });

    it('a node saved by a newer version of the package is read as it is, with a warning', async function () {
      await helper.load([require('../../nodes/mediant-device.js'), require('../../nodes/mediant-status.js')], [
        device('devA', simA),
        { id: 'n1', type: 'mediant-status', device: 'devA', version: 99, wires: [[]] },
      ]);
      should(logLines().some((l) => /saved by a newer version of node-red-contrib-mediant \(its version 99, this one knows 1\)/.test(l.msg))).be.true();
    });
  });
});

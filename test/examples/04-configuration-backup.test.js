'use strict';
// examples/04 configuration backup.json: INI, CLI script and inventory written only when they changed; restore branch.
require('should');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const s = require('./support');

const FILE = '04 configuration backup.json';

describe('example: 04 configuration backup', function () {
  this.timeout(60000);
  const env = s.useSimulator({}, { receiver: false });
  let dir;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-backup-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes INI, CLI script and inventory at deploy, nothing while unchanged, the INI again after a restore changed it', async () => {
    const restoreFile = path.join(dir, 'restore.ini');
    fs.writeFileSync(restoreFile, '[SYSTEM Params]\r\nSyslogServerIP = 10.4.2.99\r\n');
    const backups = path.join(dir, 'backups');
    const flow = await s.loadExample(FILE, env.sim, { BACKUP_DIR: backups, RESTORE_FILE: restoreFile });
    const filtered = s.countInputs(s.nodeNamed(flow, 'only when changed'));
    const written = s.countInputs(s.nodeNamed(flow, 'backup written'));
    const restored = s.countInputs(s.nodeNamed(flow, 'restored and saved'));
    const errors = s.countInputs(s.nodeNamed(flow, 'error'));

    // the injects fire once shortly after deploy: three files
    await s.waitFor(() => written.count === 3, 'three backup files', 30000);
    const files = written.msgs.map((m) => m.filename);
    files.forEach((f) => path.dirname(f).should.equal(backups));
    const byKind = (re) => files.filter((f) => re.test(path.basename(f)));
    byKind(/^sbc-ini-\d{8}T\d{6}Z\.ini$/).should.have.length(1);
    byKind(/^sbc-cliScript-\d{8}T\d{6}Z\.txt$/).should.have.length(1);
    byKind(/^sbc-inventory-\d{8}T\d{6}Z\.json$/).should.have.length(1);
    const state = env.sim.control.state();
    fs.readFileSync(byKind(/-ini-/)[0], 'utf8').should.equal(state.ini);
    fs.readFileSync(byKind(/-cliScript-/)[0], 'utf8').should.equal(state.cliScript);
    const inventory = JSON.parse(fs.readFileSync(byKind(/-inventory-/)[0], 'utf8'));
    inventory.license.serialNumber.should.equal(state.license.serialNumber);
    inventory.versionID.should.be.a.String().and.not.empty();
    inventory.device.should.equal('sbc');

    // the same downloads again: the filter lets nothing through
    s.nodeNamed(flow, 'every hour').receive({});
    s.nodeNamed(flow, 'every day').receive({});
    await s.waitFor(() => filtered.count === 6, 'the second round at the filter');
    written.count.should.equal(3);

    // restore: incremental INI upload, then save — no reset
    s.nodeNamed(flow, 'restore RESTORE_FILE (click)').receive({});
    await s.waitFor(() => restored.count === 1, 'the restore');
    const after = env.sim.control.state();
    after.ini.should.match(/SyslogServerIP = 10\.4\.2\.99/);
    after.unsaved.should.be.false();
    after.bootCount.should.equal(state.bootCount);
    after.uploads.map((u) => u.fileType).should.eql(['ini/incremental']);

    // next round: only the INI changed, so only the INI is written
    s.nodeNamed(flow, 'every hour').receive({});
    await s.waitFor(() => filtered.count === 8, 'the third round at the filter');
    await s.waitFor(() => written.count === 4, 'the changed INI written');
    const last = written.msgs[3].filename;
    path.basename(last).should.match(/^sbc-ini-/);
    fs.readFileSync(last, 'utf8').should.match(/SyslogServerIP = 10\.4\.2\.99/);
    errors.count.should.equal(0);
  });

  it('writes nothing when BACKUP_DIR is not set: the file name node refuses', async () => {
    const flow = await s.loadExample(FILE, env.sim, { BACKUP_DIR: '', RESTORE_FILE: '' });
    const errors = s.countInputs(s.nodeNamed(flow, 'error'));
    const written = s.countInputs(s.nodeNamed(flow, 'backup written'));
    s.nodeNamed(flow, 'every hour').receive({});
    await s.waitFor(() => errors.count >= 2, 'errors for the INI and the CLI script');
    // the file name node refuses (its JSONata $error names BACKUP_DIR; the test
    // runtime shows message keys, not texts, so check where it stopped)
    errors.msgs[0].error.source.name.should.equal('file name under BACKUP_DIR');
    written.count.should.equal(0);
  });
});

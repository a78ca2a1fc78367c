'use strict';
// `npm start` smoke test: scripts/demo.js --check starts the simulator and a real Node-RED with the
// examples, waits until chat messages, an opened and closed ticket and a remediation report arrived
// at its receivers, then stops everything and exits 0.
require('should');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const DEMO = path.join(__dirname, '..', '..', 'scripts', 'demo.js');

function run(args, ms) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    // fail, never hang: a demo that does not end by itself is stopped as Ctrl-C would
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 15000).unref();
    }, ms);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

describe('npm start (scripts/demo.js)', function () {
  this.timeout(240000);

  it('--check: alarms reach the chat, a ticket opens and closes, the remediation reports; then everything stops', async () => {
    const password = 'Demo-Secret-4815';
    const r = await run(['--check', '--port', '0', '--timeout', '180', '--user', 'ci-admin', '--password', password], 220000);
    r.output.should.match(/demo check passed: \d+ chat messages, \d+ tickets \([1-9]\d* closed\), remediation reported: "✅ Trunk is down on sbc cleared after the CLI fix"/);
    (r.code === 0 ? '' : r.output).should.equal('', `exit ${r.code}/${r.signal}`);
    r.output.should.not.containEql(password);
    r.output.should.match(/user "ci-admin"/);
    // the temporary user directory (flows, encrypted credentials, backups) is gone
    const dir = /backups are written to (\S+)/.exec(r.output)[1];
    fs.existsSync(path.dirname(dir)).should.be.false();
  });

  it('refuses unknown options with the usage text', async () => {
    const r = await run(['--bogus'], 30000);
    r.code.should.equal(2);
    r.output.should.match(/Unknown option '--bogus'/).and.match(/--user NAME/);
  });
});

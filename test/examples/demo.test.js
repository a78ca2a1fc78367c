'use strict';
// `npm start` smoke test: scripts/demo.js --check starts the simulator and a real Node-RED with the
// examples, waits until chat messages, an opened and closed ticket, a remediation report and the fleet
// example's remediation report arrived at its receivers, then stops everything and exits 0. Then what a user building their own flow in
// the demo meets: the device login they can use, their flows kept across Ctrl-C, busy ports.
require('should');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { DEMO, startDemo } = require('../helpers/demo');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll until `fn` gives a truthy value; fail (never hang) after `ms`. */
async function until(what, fn, ms = 60000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not seen within ${ms / 1000} s: ${what}`);
    await sleep(250);
  }
}

async function json(url, init) {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(15000) });
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
}

function readLoginFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  return { user: /^user=(.*)$/m.exec(text)[1], password: /^password=(.*)$/m.exec(text)[1] };
}

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
    // the fix, confirmed by a test call through the trunk (which another active alarm of the scenario may still block)
    r.output.should.match(/demo check passed: \d+ chat messages, \d+ tickets \([1-9]\d* closed\), remediation reported: "(✅|⚠️) Trunk is down on sbc cleared after the CLI fix; (a test call went through|but a test call did not go through \(RELEASE_BECAUSE_[A-Z_]+\))"/);
    // the fleet example: one alarms node over the three branch SBCs, the fix on the branch that raised it
    r.output.should.match(/, fleet remediation reported: "✅ Trunk is down on branch-[123] cleared after the CLI fix"/);
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

describe("npm start: a user's own flows against the demo simulator", function () {
  this.timeout(120000);
  let tmp;
  let dir;
  let demo;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-demo-test-'));
    dir = path.join(tmp, 'demo');
  });
  afterEach(async () => {
    if (demo) await demo.stop();
    demo = undefined;
  });
  after(() => {
    try {
      fs.unlinkSync(path.join(dir, 'node_modules', 'node-red-contrib-mediant')); // the link into the repository first
    } catch {
      /* not made */
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const basic = ({ user, password }) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('shows the device user and where its password is: a file only the user can read, which the simulator accepts', async () => {
    demo = startDemo(['--port', '0', '--dir', dir]);
    const banner = await demo.ready;
    banner.loginFile.should.equal(path.join(dir, 'simulator-login.txt'));
    (fs.statSync(banner.loginFile).mode & 0o777).should.equal(0o600);
    const login = readLoginFile(banner.loginFile);
    login.user.should.equal(banner.user);
    demo.output().should.not.containEql(login.password);
    const status = await json(`${banner.sim}/api/v1/status`, { headers: { authorization: basic(login) } });
    status.status.should.equal(200);
    status.body.should.have.property('productType');
    // the banner points at the ready-made device node and at what to type in a new one
    demo.output().should.match(/device "sbc"/).and.match(/host \$\{MEDIANT_HOST\}, port \$\{MEDIANT_PORT\}, protocol HTTP/);
  });

  it('keeps the flows the user built across Ctrl-C, refuses a second demo on the same folder, and reopens them with the same login', async () => {
    demo = startDemo(['--port', '0', '--dir', dir]);
    const first = await demo.ready;
    const login = readLoginFile(first.loginFile);
    const added = await json(`${first.editor}/flow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'My own flow', nodes: [{ id: 'a1b2c3d4e5f60001', type: 'inject', name: 'mine', props: [{ p: 'payload' }], payload: 'hello', payloadType: 'str', repeat: '', once: false, x: 120, y: 60, wires: [] }] }),
    });
    added.status.should.equal(200);

    const second = await new Promise((resolve) => {
      const c = spawn(process.execPath, [DEMO, '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (out += d));
      c.once('exit', (code) => resolve({ code, out }));
    });
    second.code.should.equal(2);
    second.out.should.match(/another demo \(pid \d+\) is using .*: stop it first, or pass --dir/);

    const stopped = await demo.stop();
    demo = undefined;
    stopped.should.eql({ code: 0, signal: null });
    JSON.parse(fs.readFileSync(path.join(dir, 'flows.json'), 'utf8')).map((n) => n.label).should.containEql('My own flow');

    demo = startDemo(['--port', '0', '--dir', dir]);
    const again = await demo.ready;
    demo.output().should.match(/Your flows, as you left them/);
    again.user.should.equal(login.user);
    readLoginFile(again.loginFile).should.eql(login);
    const flows = await json(`${again.editor}/flows`, { headers: { 'node-red-api-version': 'v1' } });
    flows.body.map((n) => n.label).should.containEql('My own flow');
    // the kept "sbc" device node still logs in (its encrypted credentials were readable)
    // and follows the simulator to its new port: alarms reach the chat again
    await until('a chat message after the restart', async () => (await json(`${again.editor}/demo/chat`)).body.length > 0);
    (await json(`${again.sim}/api/v1/status`, { headers: { authorization: basic(login) } })).status.should.equal(200);
  });

  it('--port or --sim-port in use: a plain message, no stack trace', async () => {
    const busy = net.createServer();
    await new Promise((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address();
    try {
      for (const flag of ['--sim-port', '--port']) {
        const r = await run(['--check', '--port', '0', flag, String(port)], 30000);
        r.code.should.equal(2, r.output);
        r.output.trim().should.equal(`demo: port ${port} on 127.0.0.1 is in use: pass ${flag} N (or ${flag} 0 for any free port)`);
      }
    } finally {
      busy.close();
    }
  });
});

'use strict';
// Installed like a user installs it: the packed tarball in a fresh user directory,
// the real node-red runtime, the examples deployed through the admin API against the
// simulator, and their promises checked from outside the runtime.
const fs = require('fs');
const path = require('path');
const assert = require('assert');
const should = require('should');
const { ROOT, PKG, NODE_TYPES, installPackage, startNodeRed, portOpen, pidAlive } = require('./lib/runtime');
const { startReceiver } = require('./lib/receiver');
const { EXAMPLE_CHECKS, envFor, prepareFlow } = require('./lib/examples');
const { startRedis } = require('../helpers/redis');

const PASSWORD = `pw-${require('crypto').randomBytes(9).toString('hex')}`;
const USERNAME = 'e2eAdmin';

describe('installed into a real Node-RED', function () {
  let inst;
  let red;
  const receivers = {};
  const paths = {};

  before(async function () {
    inst = await installPackage();
    receivers.chat = await startReceiver('chat');
    receivers.ticket = await startReceiver('ticket', ticketApi());
    paths.redis = await startRedis();
    paths.backupDir = path.join(inst.workDir, 'backups');
    paths.restoreFile = path.join(inst.workDir, 'restore.ini');
    fs.writeFileSync(paths.restoreFile, '[SYSTEM Params]\r\nSyslogServerIP = 10.9.9.9\r\n');
    red = await startNodeRed({ userDir: inst.userDir, name: 'installed', env: envFor(inst.moduleDir, receivers, paths) });
  });

  afterEach(function () {
    if (this.currentTest.state === 'failed' && red) {
      console.log(`--- node-red log (last 40 lines) ---\n${red.log().split('\n').slice(-40).join('\n')}`);
    }
  });

  after(async function () {
    if (red && !red.exited()) await red.stop();
    for (const r of Object.values(receivers)) await r.close();
    if (paths.redis) await paths.redis.close();
  });

  it('packs what Node-RED needs at run time, and no sources or tests', function () {
    const needed = NODE_TYPES.flatMap((t) => [PKG['node-red'].nodes[t], PKG['node-red'].nodes[t].replace(/\.js$/, '.html')]);
    const missing = needed.filter((f) => !inst.files.includes(f));
    assert.deepStrictEqual(missing, [], `not in the tarball: ${missing.join(', ')}`);
    inst.files.filter((f) => /^examples\/.+\.json$/.test(f)).should.not.be.empty();
    inst.files.filter((f) => /^(src|test)\//.test(f)).should.be.empty();
    inst.files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f)).should.be.empty();
    // the type declarations of the client are the package's API; those of the nodes are noise
    inst.files.filter((f) => /^nodes\/.*\.d\.ts$/.test(f)).should.be.empty();
    inst.files.should.containEql('client/index.d.ts');
  });

  it('installs with no install script to approve: the tarball is built before packing', function () {
    const installedPkg = JSON.parse(fs.readFileSync(path.join(inst.moduleDir, 'package.json'), 'utf8'));
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => installedPkg.scripts && installedPkg.scripts[s]);
    assert.deepStrictEqual(installScripts, [], 'lifecycle scripts that npm runs (or asks to approve) at install');
    assert.ok(!/install-scripts|prepare/i.test(inst.installOutput), `npm install warned:\n${inst.installOutput}`);
    for (const f of Object.values(PKG['node-red'].nodes)) assert.ok(fs.existsSync(path.join(inst.moduleDir, f)), `${f} is in the package, built`);
  });

  it("shows the README's pictures where the README is read (npm, the Flow Library): absolute links to the repository's files", function () {
    const readme = fs.readFileSync(path.join(inst.moduleDir, 'README.md'), 'utf8');
    const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
    pictures.should.not.be.empty();
    const repo = /github\.com\/([^/]+\/[^/.]+)/.exec(PKG.repository.url)[1];
    for (const url of pictures) {
      const m = new RegExp(`^https://raw\\.githubusercontent\\.com/${repo}/main/(.+)$`).exec(url);
      assert.ok(m, `${url} is not a raw file of ${repo}`);
      assert.ok(fs.existsSync(path.join(ROOT, m[1])), `${m[1]} (pictured in the README) is not in the repository`);
    }
    const relative = [...readme.matchAll(/\]\(([^)\s]+)/g)].map((m) => m[1]).filter((u) => !/^(https?:|#|mailto:)/.test(u));
    assert.deepStrictEqual(relative, [], 'links relative to the repository are broken on npm and the Flow Library');
  });

  it('lists every node type of the package in GET /nodes, loaded from the user directory', async function () {
    const r = await red.api('GET', '/nodes');
    r.status.should.equal(200);
    const sets = r.json.filter((s) => s.module === PKG.name);
    sets.should.not.be.empty();
    const broken = sets.filter((s) => s.err || !s.enabled).map((s) => `${s.id}: ${s.err ? JSON.stringify(s.err.message || s.err) : 'disabled'}`);
    assert.deepStrictEqual(broken, [], `node sets that did not load:\n${broken.join('\n')}`);
    const types = sets.flatMap((s) => s.types);
    const missing = NODE_TYPES.filter((t) => !types.includes(t));
    assert.deepStrictEqual(missing, [], `node types missing from GET /nodes: ${missing.join(', ')}`);
    const mod = await red.api('GET', `/nodes/${PKG.name}`);
    mod.json.version.should.equal(PKG.version);
    assert.strictEqual(mod.json.user, true, 'not recorded as a user-installed module (userDir package.json)');
    mod.json.path.should.equal(fs.realpathSync(inst.moduleDir));
  });

  it('serves the icon every node names, so the palette does not fall back to the default arrow', async function () {
    const icons = await red.api('GET', '/icons');
    icons.status.should.equal(200);
    const ours = icons.json[PKG.name] || [];
    const named = new Set();
    for (const t of NODE_TYPES) {
      const html = fs.readFileSync(path.join(inst.moduleDir, PKG['node-red'].nodes[t].replace(/\.js$/, '.html')), 'utf8');
      const m = /icon:\s*"([^"]+)"/.exec(html);
      if (m) named.add(m[1]);
    }
    named.size.should.be.above(0);
    // A Font Awesome icon is one of the names the editor knows (its table in red.js); any other is a file we register.
    const editor = fs.readFileSync(path.join(path.dirname(require.resolve('@node-red/editor-client/package.json', { paths: [ROOT] })), 'public', 'red', 'red.js'), 'utf8');
    const missing = [...named].filter((icon) => (icon.startsWith('font-awesome/') ? !editor.includes(`"${icon.slice('font-awesome/'.length)}":`) : !ours.includes(icon)));
    assert.deepStrictEqual(missing, [], `icons named by our nodes that neither the editor's Font Awesome nor ${PKG.name} has: ${missing.join(', ')}`);
  });

  const exampleDir = path.join(ROOT, 'examples');
  const exampleFiles = fs.existsSync(exampleDir) ? fs.readdirSync(exampleDir).filter((f) => f.endsWith('.json')).sort() : [];

  it('ships examples that together use every node type', function () {
    exampleFiles.should.not.be.empty();
    const used = new Set();
    for (const f of exampleFiles) for (const n of JSON.parse(fs.readFileSync(path.join(exampleDir, f), 'utf8'))) used.add(n.type);
    for (const type of NODE_TYPES) assert.ok(used.has(type), `no example uses ${type}`);
  });

  for (const file of exampleFiles) {
    it(`example ${file} does what its comment promises when deployed through POST /flows`, async function () {
      const check = EXAMPLE_CHECKS[file];
      assert.ok(check, `no e2e check written for examples/${file}: add one to test/e2e/lib/examples.js`);
      // The installed copy: what Import > Examples gives a user.
      const flow = JSON.parse(fs.readFileSync(path.join(inst.moduleDir, 'examples', file), 'utf8'));
      const { startSimulator } = require(path.join(ROOT, 'simulator'));
      // firmware 7.4, what a device bought today runs (an example for older devices names its own)
      const sim = await startSimulator({
        firmware: '7.4',
        users: [{ username: USERNAME, password: PASSWORD, privilege: 'securityAdmin' }],
        bootTimeMs: 1500,
        ...(check.simulator || {}),
      });
      // a fleet example: a simulator per device
      const sims = [sim];
      try {
        while (sims.length < (check.devices || 1)) {
          sims.push(await startSimulator({ firmware: '7.4', users: [{ username: USERNAME, password: PASSWORD, privilege: 'securityAdmin' }], bootTimeMs: 1500 }));
        }
        for (const r of Object.values(receivers)) r.clear();
        const deployed = prepareFlow(flow, { sim, sims, username: USERNAME, password: PASSWORD });
        await red.deploy(deployed);
        const back = await red.api('GET', '/flows');
        assert.ok(!back.text.includes(PASSWORD), 'GET /flows carries no password');
        await check.run({ sim, sims, red, receivers, flow: deployed, paths });
      } finally {
        await red.deploy([]);
        for (const s of sims) await s.close();
      }
    });
  }

  it('never sends a credential back from GET /flows, and never logs one', async function () {
    // Deploy a device with credentials, read the flows back in both API versions.
    await red.deploy([
      { id: 'e2ecfg0000000001', type: 'mediant-device', name: 'cred-check', host: '127.0.0.1', port: '443', protocol: 'https', credentials: { username: USERNAME, password: PASSWORD } },
    ]);
    for (const version of ['v1', 'v2']) {
      const r = await red.api('GET', '/flows', undefined, { 'Node-RED-API-Version': version });
      r.status.should.equal(200);
      r.text.should.not.containEql(PASSWORD);
      r.text.should.containEql('cred-check');
    }
    const cred = await red.api('GET', '/credentials/mediant-device/e2ecfg0000000001');
    cred.text.should.not.containEql(PASSWORD);
    cred.json.should.have.property('has_password', true);
    // Stored encrypted (credentialSecret set), so not in clear in the user directory either.
    const credFile = red.flowFile.replace(/\.json$/, '_cred.json');
    fs.readFileSync(credFile, 'utf8').should.not.containEql(PASSWORD);
    red.log().should.not.containEql(PASSWORD);
  });

  it('stops cleanly on SIGINT, leaving nothing running', async function () {
    const { pid, port } = red;
    const exit = await red.stop();
    assert.ok(exit.signal === null || exit.signal === 'SIGINT', `exit ${JSON.stringify(exit)}`);
    if (exit.signal === null) exit.code.should.equal(0);
    pidAlive(pid).should.be.false();
    (await portOpen(port)).should.be.false();
    red.log().should.match(/Stopped flows/);
  });
});

/** A tiny ticketing REST API: POST creates `{id}`, anything on `/<base>/<id>` updates it. */
function ticketApi() {
  let next = 1;
  return (req) => (req.method === 'POST' && !/\/\d+$/.test(req.path)
    ? { status: 201, body: { id: next++, key: `OPS-${next - 1}` } }
    : { status: 200, body: { ok: true } });
}

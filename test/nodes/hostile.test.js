'use strict';
// Every flow node of the package but mediant-alarms-poll (see test/alarms),
// and the config node's Test connection, against the hostile device
// (test/helpers/hostile.js): whatever it does, a message gets an answer —
// on the output or at the Catch node with a red status — within the device's
// timeout, no credential reaches a msg, a status or the log, Node-RED stays
// up, and the node works again as soon as the device behaves.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const { helper, flowFor, load, send, assertNoSecret, logLines, PASSWORD } = require('../helpers/mediant-flow');
const { startHostile } = require('../helpers/hostile');

const MODULES = {
  status: require('../../nodes/mediant-status.js'),
  reset: require('../../nodes/mediant-reset.js'),
  save: require('../../nodes/mediant-save-config.js'),
  upload: require('../../nodes/mediant-upload-file.js'),
  download: require('../../nodes/mediant-download-file.js'),
  cli: require('../../nodes/mediant-run-cli.js'),
  pm: require('../../nodes/mediant-pm-read.js'),
  license: require('../../nodes/mediant-license.js'),
  request: require('../../nodes/mediant-request.js'),
};

/** Each node under test, and a message that makes it call the device. */
const NODES = [
  ['mediant-status', MODULES.status, {}, {}],
  ['mediant-reset', MODULES.reset, { saveConfiguration: true, gracefulTimeout: 0, waitForRestart: false, restartTimeout: 600 }, {}],
  ['mediant-save-config', MODULES.save, {}, {}],
  ['mediant-upload-file', MODULES.upload, { fileType: 'ini', filename: '' }, { payload: '[x]\n' }],
  ['mediant-download-file', MODULES.download, { fileType: 'ini' }, {}],
  ['mediant-run-cli', MODULES.cli, { script: '' }, { payload: 'show running-config' }],
  ['mediant-pm-read', MODULES.pm, { pm: 'NetUtilKBytes', index: 'all', interval: '0', pollInterval: 0 }, {}],
  ['mediant-pm-read', MODULES.pm, { pm: 'NetUtilKBytes', index: '0', interval: '0', pollInterval: 0 }, {}],
  ['mediant-license', MODULES.license, { action: 'get' }, {}],
  ['mediant-request', MODULES.request, { method: 'GET', path: '/status' }, {}],
];

/** The device's timeout in these flows: short, so that the hostile answers time out quickly. */
const TIMEOUT_MS = 400;

/** What the hostile device does, and whether the node may still succeed (its answer is data). */
const MISBEHAVIOURS = [
  ['deep JSON', { deepJson: 100000 }, 'caught-or-out'],
  ['odd field types', { oddTypes: true }, 'caught-or-out'],
  ['echoed credentials', { echoCredentials: true }, 'caught'],
  ['echoed Authorization header', { echoHeader: true }, 'out'],
  ['a trickled body', { trickleMs: 100 }, 'caught'],
  ['endless 102 Processing', { processingFlood: 50 }, 'caught'],
  ['silence', { silent: true }, 'caught'],
  ['a late accept', { slowAcceptMs: 2000 }, 'caught'],
  ['endless pages and indexes', { endlessPages: true }, 'caught-or-out'],
  ['500 with its own words', { status: 500 }, 'caught'],
];

/** Every status node `id` has shown since it was made (the test helper spies on every node's status). */
function statusesOf(id) {
  const n = helper.getNode(id);
  return Object.getPrototypeOf(n).status.getCalls().filter((c) => c.thisValue === n).map((c) => c.args[0]);
}

describe('nodes against a hostile device', function () {
  let dev;
  let fake;

  before(async function () {
    dev = await startHostile({ username: 'Admin', password: PASSWORD });
    fake = { port: dev.port, protocol: 'http' };
    await helper.startServer();
  });
  after(async function () {
    await helper.stopServer();
    await dev.close();
  });
  afterEach(async function () {
    await helper.unload();
    dev.reset();
  });

  /** The flow: the node wired to two helper nodes (so Node-RED copies what it sends), and a Catch node. */
  function flowWith(type, props) {
    const flow = flowFor(fake, [{ id: 'n1', type, name: '', ...props, wires: [['out', 'out2']] }], { timeout: TIMEOUT_MS });
    flow.push({ id: 'out2', z: 'f1', type: 'helper' });
    return flow;
  }

  for (const [type, mod, props, msg] of NODES) {
    const label = props.index !== undefined ? `${type} (index ${JSON.stringify(props.index)})` : type;
    describe(label, function () {
      for (const [what, switches, expect] of MISBEHAVIOURS) {
        it(`${what}: answers, shows no credential, and works again once the device behaves`, async function () {
          await load([mod], flowWith(type, props));
          dev.set(switches);
          const r = await send('n1', { topic: 'hostile', ...msg });
          if (expect === 'caught') should(r.caught).be.ok();
          if (expect === 'out') should(r.out).be.ok();
          if (r.caught) {
            should(r.caught.error.message).be.a.String().and.not.be.empty();
            should(r.caught.topic).equal('hostile');
            const last = statusesOf('n1').slice(-1)[0];
            should(last.fill).equal('red');
          }
          dev.reset();
          const again = await send('n1', { topic: 'again', ...msg });
          should(again.out).be.ok();
          should(again.out.statusCode).equal(200);
          assertNoSecret([r, again, statusesOf('n1'), logLines()]);
        });
      }
    });
  }

  describe('what used to take Node-RED down, or hang a node', function () {
    it('deep JSON from /status with two output wires: a bad response at Catch, not a stack overflow in send()', async function () {
      await load([MODULES.status], flowWith('mediant-status', {}));
      dev.set({ deepJson: 100000 });
      const r = await send('n1', {});
      should(r.caught.error.message).equal('status failed: bad response: JSON nested deeper than 32 levels');
      const last = statusesOf('n1').slice(-1)[0];
      should(last.fill).equal('red');
      should(last.text).startWith('bad response · ');
    });

    it('a message that cannot be copied (nested too deep) becomes an error at Catch, and the node keeps working', async function () {
      await load([MODULES.status], flowWith('mediant-status', {}));
      let deep = {};
      for (let i = 0; i < 200000; i++) deep = { d: deep };
      // The first wire gets the message itself; Node-RED's copy for the second throws.
      const caught = new Promise((resolve) => helper.getNode('caught').once('input', resolve));
      helper.getNode('n1').receive({ topic: 'deep', deep });
      const msg = await caught;
      should(msg.error.message).match(/^the message could not be sent on \(RangeError: Maximum call stack size exceeded\)/);
      should(msg.topic).equal('deep');
      should(msg.device).equal(`127.0.0.1:${dev.port}`);
      should(statusesOf('n1').slice(-1)[0].fill).equal('red');
      const again = await send('n1', { topic: 'again' });
      should(again.out.statusCode).equal(200);
    });

    it('a Complete node that cannot copy the message: the error still reaches Catch, once', async function () {
      const completeNode = require('@node-red/nodes/core/common/24-complete.js');
      const flow = flowFor(fake, [{ id: 'n1', type: 'mediant-status', name: '' }], { timeout: TIMEOUT_MS });
      flow.push({ id: 'complete1', z: 'f1', type: 'complete', scope: ['n1'], uncaught: false, wires: [[]] });
      await load([MODULES.status, completeNode], flow);
      let deep = {};
      for (let i = 0; i < 200000; i++) deep = { d: deep };
      const caughtMsgs = [];
      helper.getNode('caught').on('input', (m) => caughtMsgs.push(m));
      const r = await send('n1', { topic: 'deep', deep });
      should(r.out.statusCode).equal(200); // sent on: the only wire needs no copy
      await new Promise((resolve) => setTimeout(resolve, 200));
      should(caughtMsgs).have.length(1);
      should(caughtMsgs[0].error.message).match(/^the node failed: RangeError: Maximum call stack size exceeded/);
      should(caughtMsgs[0].topic).equal('deep');
      const again = await send('n1', { topic: 'again' });
      should(again.out.statusCode).equal(200);
    });

    it('pm-read index all against a discovery of 1,000,000 indexes: a clear error, one request', async function () {
      this.timeout(60000);
      const flow = flowFor(fake, [{ id: 'n1', type: 'mediant-pm-read', name: '', pm: 'NetUtilKBytes', index: 'all', interval: '0', pollInterval: 0 }], { timeout: 20000 });
      await load([MODULES.pm], flow);
      dev.set({ endlessPages: true });
      const r = await send('n1', {});
      should(r.caught.error.message).equal('read PM failed: bad response: the device listed 1000000 indexes for NetUtilKBytes, more than the 10000 read at most');
      should(dev.apiRequests()).have.length(1);
    });

    it('pm-read shows a value in its status only when the device sent a number', async function () {
      await load([MODULES.pm], flowWith('mediant-pm-read', { pm: 'NetUtilKBytes', index: '1', interval: '0', pollInterval: 0 }));
      const ok = await send('n1', {});
      should(ok.out.payload.value).equal(43);
      should(statusesOf('n1').slice(-1)[0].text).startWith('200 NetUtilKBytes[1] = 43 · ');
      dev.set({ oddTypes: true });
      const odd = await send('n1', {});
      should(odd.out.payload.value).eql({ toString: 1 });
      should(statusesOf('n1').slice(-1)[0].text).startWith('200 NetUtilKBytes[1] · ');
    });

    it('a device state that quotes the credentials reaches the status without them', async function () {
      await load([MODULES.status], flowWith('mediant-status', {}));
      dev.set({ echoInBody: true });
      const r = await send('n1', {});
      should(r.out.statusCode).equal(200);
      should(r.out.payload.operationalState).containEql(PASSWORD); // the device's data, as it sent it
      const shown = statusesOf('n1').slice(-1)[0];
      should(shown.fill).equal('green');
      should(shown.text).startWith('*** *** · ');
      assertNoSecret([statusesOf('n1'), logLines()]);
    });
  });

  describe('files only where a file is asked for', function () {
    let dir;
    before(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-hostile-'));
      execFileSync('mkfifo', [path.join(dir, 'pipe')]);
      fs.writeFileSync(path.join(dir, 'body.bin'), 'from the file');
    });
    after(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('mediant-request sends an object with a path property as JSON, never the file it names', async function () {
      await load([MODULES.request], flowWith('mediant-request', { method: 'PUT', path: '/files/ini' }));
      const secretFile = path.join(dir, 'body.bin');
      const r = await send('n1', { payload: { path: secretFile } });
      should(r.out.statusCode).equal(200);
      const req = dev.apiRequests()[0];
      should(req.headers['content-type']).equal('application/json');
      should(JSON.parse(req.body.toString())).eql({ path: secretFile });
    });

    it('mediant-request streams a file named by msg.filename', async function () {
      await load([MODULES.request], flowWith('mediant-request', { method: 'PUT', path: '/files/ini' }));
      const r = await send('n1', { filename: path.join(dir, 'body.bin'), payload: { ignored: true } });
      should(r.out.statusCode).equal(200);
      const req = dev.apiRequests()[0];
      should(req.headers['content-type']).equal('application/octet-stream');
      should(req.body.toString()).equal('from the file');
    });

    it('mediant-request streams the file of its filename property, and refuses one for GET', async function () {
      await load([MODULES.request], flowWith('mediant-request', { method: 'PUT', path: '/files/ini', filename: path.join(dir, 'body.bin') }));
      const r = await send('n1', {});
      should(r.out.statusCode).equal(200);
      should(dev.apiRequests()[0].body.toString()).equal('from the file');
      const get = await send('n1', { method: 'GET' });
      should(get.caught.error.message).equal(`property filename must be nothing for GET (a file is sent with PUT or POST), got ${JSON.stringify(path.join(dir, 'body.bin'))}`);
      should(dev.apiRequests()).have.length(1);
    });

    it('a named pipe as msg.filename is refused at once by mediant-upload-file and mediant-request', async function () {
      const pipe = path.join(dir, 'pipe');
      await load([MODULES.upload, MODULES.request], [
        ...flowWith('mediant-upload-file', { fileType: 'ini', filename: '' }),
        { id: 'n2', z: 'f1', type: 'mediant-request', device: 'dev1', name: '', method: 'PUT', path: '/files/ini', wires: [['out']] },
      ]);
      const up = await send('n1', { filename: pipe });
      should(up.caught.error.message).equal(`msg.filename must be a regular file, not a named pipe (FIFO), got ${JSON.stringify(pipe)}`);
      const rq = await send('n2', { filename: pipe });
      should(rq.caught.error.message).equal(`msg.filename must be a regular file, not a named pipe (FIFO), got ${JSON.stringify(pipe)}`);
      should(dev.apiRequests()).have.length(0);
    });
  });

  describe('Test connection', function () {
    const dialog = (over = {}) => ({
      host: '127.0.0.1',
      port: String(dev.port),
      protocol: 'http',
      tls: '',
      timeout: String(TIMEOUT_MS),
      username: 'Admin',
      password: PASSWORD,
      ...over,
    });
    const test = (over) => helper.request().post('/mediant-device/dev1/test').send(dialog(over)).expect(200);

    beforeEach(async function () {
      await load([MODULES.status], flowWith('mediant-status', {}));
    });

    it('deep JSON: a plain error, not a crash of the admin endpoint', async function () {
      dev.set({ deepJson: 100000 });
      const res = await test();
      should(res.body).eql({ ok: false, error: 'bad response: JSON nested deeper than 32 levels' });
      dev.reset();
      should((await test()).body.ok).equal(true);
    });

    it('odd field types: only short texts reach the dialog', async function () {
      dev.set({ oddTypes: true });
      const res = await test();
      // its /actions answers 404: what the account may do beyond reading could not be checked
      should(res.body).eql({ ok: true, versionID: '7.4', access: 'monitor', accessComplete: false });
    });

    it('echoed credentials: none in the answer', async function () {
      dev.set({ echoCredentials: true });
      const res = await test();
      should(res.body.ok).equal(false);
      should(res.body.error).startWith('500 Internal Server Error: Denied for ***');
      assertNoSecret(res.body);
    });

    it('silence, a trickled body, endless 102s: a timeout in plain words', async function () {
      for (const sw of [{ silent: true }, { trickleMs: 100 }, { processingFlood: 50 }]) {
        dev.reset();
        dev.set(sw);
        const res = await test();
        should(res.body.ok).equal(false);
        should(res.body.error).match(/^timeout: no (complete )?answer from /);
      }
    });

    it('user:password typed into the user field: what follows the ":" is never shown', async function () {
      const res = await test({ username: 'Admin:Typed-S3cret-pw' });
      should(res.body.ok).equal(false);
      should(res.body.error).equal('device 127.0.0.1:' + dev.port + ' has a bad setting: username must be a non-empty user name without ":", got "Admin" followed by ":" and more (not shown)');
      should(JSON.stringify(res.body)).not.containEql('Typed-S3cret-pw');
      should(dev.apiRequests()).have.length(0);
    });

    describe('${VAR} in host and port', function () {
      afterEach(function () {
        delete process.env.MEDIANT_TEST_SECRET;
        delete process.env.MEDIANT_TEST_PORT;
      });

      it('a value that is no host name is refused naming the variable, never showing its value', async function () {
        process.env.MEDIANT_TEST_SECRET = 'sk_live/Very-Secret-Token:42';
        const res = await test({ host: '${MEDIANT_TEST_SECRET}' });
        should(res.body.ok).equal(false);
        should(res.body.error).equal(
          'device ${MEDIANT_TEST_SECRET}:' + dev.port + ' has a bad setting: host: ${MEDIANT_TEST_SECRET} does not hold a host name or IP address (its value is not shown)',
        );
        should(JSON.stringify(res.body)).not.containEql('Very-Secret');
      });

      it('a value that is a host name still never appears in the answer', async function () {
        process.env.MEDIANT_TEST_SECRET = 'secrettoken0123456789.invalid';
        const res = await test({ host: '${MEDIANT_TEST_SECRET}' });
        should(res.body.ok).equal(false);
        should(res.body.error).startWith('network: ');
        should(res.body.error).containEql('${MEDIANT_TEST_SECRET}');
        should(JSON.stringify(res.body)).not.containEql('secrettoken');
      });

      it('a port from a variable that is no port is refused naming the variable', async function () {
        process.env.MEDIANT_TEST_PORT = 'hunter2-password';
        const res = await test({ port: '${MEDIANT_TEST_PORT}' });
        should(res.body.ok).equal(false);
        should(res.body.error).endWith('port: ${MEDIANT_TEST_PORT} does not hold a port from 1 to 65535 (its value is not shown)');
        should(JSON.stringify(res.body)).not.containEql('hunter2');
      });

      it('good values from variables still test the device', async function () {
        process.env.MEDIANT_TEST_SECRET = '127.0.0.1';
        process.env.MEDIANT_TEST_PORT = String(dev.port);
        const res = await test({ host: '${MEDIANT_TEST_SECRET}', port: '${MEDIANT_TEST_PORT}' });
        should(res.body.ok).equal(true);
        should(res.body.productType).equal('Mediant SW');
      });
    });
  });
});

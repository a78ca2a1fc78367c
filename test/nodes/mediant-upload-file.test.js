'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');
const { uploadTypeOf } = require('../helpers/sim');
const { FILE_TYPES } = require('../../client');

const uploadNode = require('../../nodes/mediant-upload-file.js');

const HA_SYNC = 'Device is currently performing HA synchronization';

function node(props = {}) {
  return { id: 'n1', type: 'mediant-upload-file', name: '', fileType: 'ini/incremental', filename: '', ...props };
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

/** A body each file type's simulator accepts (text types are parsed, the others only hashed). */
function bodyFor(fileType) {
  if (fileType.startsWith('ini')) return Buffer.from(`[SYSTEM Params]\nUploadTest${fileType.length} = 1\n`);
  if (fileType.startsWith('cliScript')) return Buffer.from('configure system\n hostname upload-test\n exit\n');
  return crypto.randomBytes(4096);
}

describe('mediant-upload-file node', function () {
  const env = useSimulator();
  let dir;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-upload-'));
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('streams the file named by msg.filename: the device receives exactly its bytes, and the msg keeps its other properties', async function () {
    const file = path.join(dir, 'dialplan.dat');
    const content = crypto.randomBytes(300 * 1024);
    fs.writeFileSync(file, content);
    await load([uploadNode], flowFor(env.sim, [node({ fileType: 'dialplan' })]));
    const before = env.sim.control.state().uploads.length;

    const r = await send('n1', { topic: 'plans', filename: file, payload: 'not sent', keep: { me: 1 } });

    should(r.out).be.ok();
    should(r.out.statusCode).equal(200);
    should(r.out.payload).be.an.Object();
    should(r.out.payload.description).be.a.String();
    should(r.out.device).equal(`127.0.0.1:${env.sim.port}`);
    should(r.out.topic).equal('plans');
    should(r.out.filename).equal(file);
    should(r.out.keep).eql({ me: 1 });
    const uploads = env.sim.control.state().uploads.slice(before);
    should(uploads).have.length(1);
    should(uploads[0]).containDeep({ fileType: 'dialplan', bytes: content.length, sha256: sha256(content) });
    should(uploads[0].contentType).startWith(uploadTypeOf());
    const puts = apiLog(env.sim).filter((e) => e.method === 'PUT');
    should(puts.map((e) => e.path)).eql(['/api/v1/files/dialplan']);
  });

  it('streams the file of its filename property when the msg names none', async function () {
    const file = path.join(dir, 'tones.dat');
    const content = crypto.randomBytes(2048);
    fs.writeFileSync(file, content);
    await load([uploadNode], flowFor(env.sim, [node({ fileType: 'cpt', filename: file })]));
    const r = await send('n1', {});
    should(r.out.statusCode).equal(200);
    should(env.sim.control.state().uploads.at(-1)).containDeep({ fileType: 'cpt', sha256: sha256(content) });
  });

  it('uploads a Buffer msg.payload, and msg.filename "" means: send msg.payload', async function () {
    const content = crypto.randomBytes(10000);
    await load([uploadNode], flowFor(env.sim, [node({ fileType: 'prt', filename: path.join(dir, 'never-read') })]));
    const r = await send('n1', { payload: content, filename: '' });
    should(r.out.statusCode).equal(200);
    should(env.sim.control.state().uploads.at(-1)).containDeep({ fileType: 'prt', bytes: 10000, sha256: sha256(content) });
  });

  it('uploads a string msg.payload as UTF-8: an incremental ini answers {} and changes the running configuration', async function () {
    const text = '[SYSTEM Params]\nSyslogServerIP = 10.9.8.7\n';
    await load([uploadNode], flowFor(env.sim, [node()]));
    const r = await send('n1', { payload: text });
    should(r.out.statusCode).equal(200);
    should(r.out.payload).eql({});
    should(env.sim.control.state().uploads.at(-1)).containDeep({ fileType: 'ini/incremental', sha256: sha256(Buffer.from(text)) });
    should(env.sim.control.state().ini).match(/SyslogServerIP\s*=\s*10\.9\.8\.7/);
  });

  it('accepts every file type of the contract through msg.fileType', async function () {
    await load([uploadNode], flowFor(env.sim, [node()]));
    for (const fileType of FILE_TYPES) {
      if (fileType === 'software/hitless') env.sim.control.setHaMode(true);
      const body = bodyFor(fileType);
      const r = await send('n1', { fileType, payload: body });
      if (!r.out) throw new Error(`${fileType} refused: ${r.caught.error.message}`);
      should(r.out.statusCode).equal(200);
      should(env.sim.control.state().uploads.at(-1)).containDeep({ fileType, sha256: sha256(body) });
      // ini, cliScript and software make the device reset: wait until it is back
      await env.sim.control.waitUntilUp();
      env.sim.control.setHaMode(false);
    }
    const paths = apiLog(env.sim)
      .filter((e) => e.method === 'PUT')
      .map((e) => e.path);
    should(paths).eql(FILE_TYPES.map((t) => `/api/v1/files/${t}`));
  });

  it('refuses a file type not in the list, from msg or from the node, and sends nothing', async function () {
    await load([uploadNode], flowFor(env.sim, [node(), { id: 'n2', type: 'mediant-upload-file', fileType: 'firmware', filename: '' }]));
    for (const bad of ['INI', 'ini/../../actions/reset', 'files', 5, { type: 'ini' }]) {
      const r = await send('n1', { fileType: bad, payload: 'x = 1' });
      should(r.caught).be.ok();
      should(r.caught.error.message).startWith('msg.fileType must be one of ini, ini/incremental, cliScript');
    }
    const r2 = await send('n2', { payload: 'x = 1' });
    should(r2.caught.error.message).startWith('property fileType must be one of ini,');
    should(r2.caught.error.message).endWith('got "firmware"');
    should(apiLog(env.sim)).have.length(0);
  });

  it('refuses a msg.payload that is neither a Buffer nor a string, naming msg.payload, and sends nothing', async function () {
    await load([uploadNode], flowFor(env.sim, [node()]));
    for (const bad of [{ a: 1 }, 42, undefined, null, [1, 2]]) {
      const r = await send('n1', { payload: bad });
      should(r.caught).be.ok();
      should(r.caught.error.message).startWith('msg.payload must be a Buffer or a string');
    }
    should(apiLog(env.sim)).have.length(0);
  });

  it('refuses a msg.filename that is missing, a directory or not a path, naming msg.filename, and sends nothing', async function () {
    await load([uploadNode], flowFor(env.sim, [node()]));
    const missing = path.join(dir, 'no-such-file.ini');
    let r = await send('n1', { filename: missing, payload: 'x = 1' });
    should(r.caught.error.message).equal(`msg.filename must be an existing file, got ${JSON.stringify(missing)}`);
    r = await send('n1', { filename: dir, payload: 'x = 1' });
    should(r.caught.error.message).startWith('msg.filename must be a file, not a directory, got');
    r = await send('n1', { filename: 17 });
    should(r.caught.error.message).equal('msg.filename must be the path of a file on the Node-RED host, got 17');
    should(apiLog(env.sim)).have.length(0);
  });

  it('refuses a file Node-RED may not read, and sends nothing', function () {
    if (typeof process.getuid === 'function' && process.getuid() === 0) return this.skip(); // root reads everything
    const file = path.join(dir, 'secret.ini');
    fs.writeFileSync(file, 'x = 1\n');
    fs.chmodSync(file, 0o000);
    return load([uploadNode], flowFor(env.sim, [node()]))
      .then(() => send('n1', { filename: file }))
      .then((r) => {
        should(r.caught.error.message).startWith('msg.filename must be a file this process may read (permission denied)');
        should(apiLog(env.sim)).have.length(0);
      });
  });

  it('an empty body reaches the Catch node as the device\'s 400, with its description', async function () {
    await load([uploadNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const r = await send('n1', { payload: Buffer.alloc(0), topic: 'empty' });
    should(r.out).be.undefined();
    should(r.caught.statusCode).equal(400);
    should(r.caught.topic).equal('empty');
    should(r.caught.error.message).equal('upload ini/incremental failed: 400 Bad Request: Incremental INI file is incorrect');
    await new Promise((resolve) => setImmediate(resolve));
    should(status.at(-1).fill).equal('red');
    should(status.at(-1).text).startWith('400 Bad Request');
  });

  it('a 409 during HA synchronization reaches the Catch node with the device\'s description; nothing is sent on', async function () {
    env.sim.control.setFaults({ haSync: true });
    const file = path.join(dir, 'during-sync.ini');
    fs.writeFileSync(file, '[SYSTEM Params]\nA = 1\n');
    await load([uploadNode], flowFor(env.sim, [node({ fileType: 'ini' })]));
    const boots = env.sim.control.state().bootCount;
    const r = await send('n1', { filename: file });
    should(r.out).be.undefined();
    should(r.caught.statusCode).equal(409);
    should(r.caught.error.message).equal(`upload ini failed: 409 Conflict: ${HA_SYNC}`);
    should(env.sim.control.state().bootCount).equal(boots);
  });

  it('shows the progress of a large file in whole percent, each value once, then the result', async function () {
    const file = path.join(dir, 'voiceprompts.dat');
    const content = crypto.randomBytes(8 * 1024 * 1024);
    fs.writeFileSync(file, content);
    await load([uploadNode], flowFor(env.sim, [node({ fileType: 'voiceprompts' })]));
    const status = recordStatus('n1');
    const r = await send('n1', { filename: file }, 60000);
    should(r.out.statusCode).equal(200);
    await new Promise((resolve) => setImmediate(resolve));
    const progress = status.filter((s) => /^uploading \d+ %$/.test(s.text || ''));
    const percents = progress.map((s) => Number(/\d+/.exec(s.text)[0]));
    should(percents.length).be.above(2);
    for (let i = 1; i < percents.length; i++) should(percents[i]).be.above(percents[i - 1]);
    should(percents.at(-1)).equal(100);
    should(progress.every((s) => s.fill === 'blue')).be.true();
    should(status.at(-1).fill).equal('green');
    should(env.sim.control.state().uploads.at(-1)).containDeep({ fileType: 'voiceprompts', bytes: content.length, sha256: sha256(content) });
  });

  it('refuses a resetting file type while a reset of the same device is under way, and sends nothing', async function () {
    await load([uploadNode], flowFor(env.sim, [node({ fileType: 'software' })]));
    const release = helper.getNode('dev1').claim('reset');
    try {
      const r = await send('n1', { payload: Buffer.from('load') });
      should(r.caught.error.message).match(/already under way/);
      should(apiLog(env.sim)).have.length(0);
    } finally {
      release();
    }
  });

  it('never shows the password or the Basic auth header in msgs, statuses, errors or the log', async function () {
    await load([uploadNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const ok = await send('n1', { payload: 'Foo = 1' });
    env.sim.control.setFaults({ haSync: true });
    const failed = await send('n1', { payload: 'Foo = 2' });
    const refused = await send('n1', { payload: {} });
    await new Promise((resolve) => setImmediate(resolve));
    should(ok.out).be.ok();
    should(failed.caught).be.ok();
    should(refused.caught).be.ok();
    assertNoSecret([ok, failed, refused, failed.caught.error.message, status, logLines()]);
  });
});

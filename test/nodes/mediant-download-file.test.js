'use strict';
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');

const downloadNode = require('../../nodes/mediant-download-file.js');
const uploadNode = require('../../nodes/mediant-upload-file.js');

function node(props = {}) {
  return { id: 'n1', type: 'mediant-download-file', name: '', fileType: 'ini', ...props };
}

/** The UTC time a `20261128T064501Z` stamp stands for. */
function stampTime(stamp) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

describe('mediant-download-file node', function () {
  const env = useSimulator();

  it('sends the ini file as text with a suggested file name, keeping the msg\'s other properties', async function () {
    await load([downloadNode], flowFor(env.sim, [node()]));
    const from = Math.floor(Date.now() / 1000) * 1000;
    const r = await send('n1', { topic: 'backup', payload: 'ignored', keep: 1 });
    const to = Date.now();
    should(r.out.statusCode).equal(200);
    should(r.out.payload).be.a.String();
    should(r.out.payload).equal(env.sim.control.state().ini);
    should(r.out.topic).equal('backup');
    should(r.out.keep).equal(1);
    should(r.out.device).equal(`127.0.0.1:${env.sim.port}`);
    const m = new RegExp(`^127\\.0\\.0\\.1_${env.sim.port}-ini-(\\d{8}T\\d{6}Z)\\.ini$`).exec(r.out.filename);
    should(m).be.ok();
    should(stampTime(m[1])).be.within(from, to);
    should(apiLog(env.sim).map((e) => `${e.method} ${e.path}`)).eql(['GET /api/v1/files/ini']);
  });

  it('shows the change an incremental ini upload made', async function () {
    await load([downloadNode, uploadNode], flowFor(env.sim, [node(), { id: 'up', type: 'mediant-upload-file', fileType: 'ini/incremental', filename: '' }]));
    const before = await send('n1', {});
    should(before.out.payload).not.match(/DownloadCheckParam/);
    const up = await send('up', { payload: '[SYSTEM Params]\nDownloadCheckParam = 4711\n' });
    should(up.out.statusCode).equal(200);
    const after = await send('n1', {});
    should(after.out.payload).match(/DownloadCheckParam\s*=\s*4711/);
  });

  it('downloads the CLI script through msg.fileType, as a .txt name built from the device name', async function () {
    await load([downloadNode], flowFor(env.sim, [node()], { name: 'lab sbc:1/a' }));
    const r = await send('n1', { fileType: 'cliScript' });
    should(r.out.payload).equal(env.sim.control.state().cliScript);
    should(r.out.device).equal('lab sbc:1/a');
    should(r.out.filename).match(/^lab_sbc_1_a-cliScript-\d{8}T\d{6}Z\.txt$/);
    should(apiLog(env.sim).map((e) => e.path)).eql(['/api/v1/files/cliScript']);
  });

  it('refuses a file type that cannot be downloaded, from msg or from the node, and sends nothing', async function () {
    await load([downloadNode], flowFor(env.sim, [node(), node({ id: 'n2', fileType: 'ini/incremental' })]));
    for (const bad of ['software', 'ini/incremental', '../status', '', 1]) {
      const r = await send('n1', { fileType: bad });
      should(r.caught.error.message).startWith('msg.fileType must be one of ini, cliScript, got');
    }
    const r2 = await send('n2', {});
    should(r2.caught.error.message).equal('property fileType must be one of ini, cliScript, got "ini/incremental"');
    should(apiLog(env.sim)).have.length(0);
  });

  it('a device error reaches the Catch node with its status; nothing is sent on', async function () {
    env.sim.control.setFaults({ htmlError: true });
    await load([downloadNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const r = await send('n1', { topic: 't' });
    should(r.out).be.undefined();
    should(r.caught.statusCode).equal(500);
    should(r.caught.topic).equal('t');
    should(r.caught.error.message).startWith('download ini failed: 500 Internal Server Error');
    await new Promise((resolve) => setImmediate(resolve));
    should(status.at(-1).fill).equal('red');
  });

  it('a wrong password reaches the Catch node as 401 with the device\'s description, and the password is nowhere', async function () {
    await load([downloadNode], flowFor(env.sim, [node()]), { dev1: { username: 'Admin', password: 'wrong-Pw-77' } });
    const status = recordStatus('n1');
    const r = await send('n1', {});
    should(r.caught.statusCode).equal(401);
    should(r.caught.error.message).equal('download ini failed: 401 Unauthorized: valid credentials are required');
    await new Promise((resolve) => setImmediate(resolve));
    assertNoSecret([r, status, logLines()], 'wrong-Pw-77');
  });

  it('never shows the password or the Basic auth header in msgs, statuses or the log', async function () {
    await load([downloadNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const ok = await send('n1', {});
    const refused = await send('n1', { fileType: 'x' });
    await new Promise((resolve) => setImmediate(resolve));
    should(ok.out).be.ok();
    assertNoSecret([ok, refused, status, logLines()]);
  });
});

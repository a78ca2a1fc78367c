'use strict';
const crypto = require('node:crypto');
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');
const { profileOf } = require('../helpers/sim');

const cliNode = require('../../nodes/mediant-run-cli.js');

const UPTIME = /^Uptime: \d+ days, \d+ hours, \d+ minutes, \d+ seconds$/;

function node(props = {}) {
  return { id: 'n1', type: 'mediant-run-cli', name: '', script: '', ...props };
}

function sha256(text) {
  return crypto.createHash('sha256').update(Buffer.from(text)).digest('hex');
}

describe('mediant-run-cli node', function () {
  const env = useSimulator();

  it('runs msg.payload and sends the output and the description, keeping the msg\'s other properties', async function () {
    await load([cliNode], flowFor(env.sim, [node({ script: 'show system version' })]));
    const r = await send('n1', { payload: 'show system uptime', topic: 'uptime', keep: true });
    should(r.out.statusCode).equal(200);
    should(r.out.payload).match(UPTIME);
    should(r.out.description).equal(profileOf().cli.loaded);
    should(r.out.topic).equal('uptime');
    should(r.out.keep).equal(true);
    should(r.out.device).equal(`127.0.0.1:${env.sim.port}`);
    // before its first upload the device node reads the firmware, which decides the upload's encoding
    should(apiLog(env.sim).map((e) => `${e.method} ${e.path}`)).eql(['GET /api/v1/status', 'PUT /api/v1/files/cliScript/incremental']);
    should(env.sim.control.state().uploads.at(-1)).containDeep({ fileType: 'cliScript/incremental', sha256: sha256('show system uptime') });
  });

  it('runs its script property when msg.payload is not a non-empty string', async function () {
    await load([cliNode], flowFor(env.sim, [node({ script: 'show system uptime\n' })]));
    for (const payload of [1795849120062, '', '   \n', undefined, { a: 1 }]) {
      const r = await send('n1', { payload });
      should(r.out.payload).match(UPTIME);
    }
    should(env.sim.control.state().uploads.at(-1)).containDeep({ sha256: sha256('show system uptime\n') });
  });

  it('a configuration script without queries answers "" and changes the configuration', async function () {
    await load([cliNode], flowFor(env.sim, [node({ script: 'configure system\n hostname cli-node-test\n exit\n' })]));
    const r = await send('n1', {});
    should(r.out.statusCode).equal(200);
    should(r.out.payload).equal('');
    should(r.out.description).equal(profileOf().cli.loaded);
    should(env.sim.control.state().cliScript).match(/hostname cli-node-test/);
  });

  it('refuses a message when neither msg.payload nor the node holds a script, and sends nothing', async function () {
    await load([cliNode], flowFor(env.sim, [node({ script: '  ' })]));
    const r = await send('n1', { payload: 12 });
    should(r.caught.error.message).equal('msg.payload must be a non-empty string (the CLI script) when the node has no script, got 12');
    should(r.out).be.undefined();
    should(apiLog(env.sim)).have.length(0);
  });

  it('an incorrect script reaches the Catch node with the device\'s description (7.4: a 200 whose status is "failure", else a 400)', async function () {
    await load([cliNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const r = await send('n1', { payload: 'show no-such-thing', topic: 'bad' });
    should(r.out).be.undefined();
    should(r.caught.topic).equal('bad');
    if (profileOf().cli.status) {
      should(r.caught.statusCode).equal(200);
      should(r.caught.error.message).startWith('run CLI script failed: the device reports status "failure": Incremental CLI script is incorrect');
    } else {
      should(r.caught.statusCode).equal(400);
      should(r.caught.error.message).startWith('run CLI script failed: 400 Bad Request: Incremental CLI script is incorrect');
    }
    await new Promise((resolve) => setImmediate(resolve));
    should(status.at(-1).fill).equal('red');
  });

  it('a 409 during HA synchronization reaches the Catch node with the device\'s description', async function () {
    env.sim.control.setFaults({ haSync: true });
    await load([cliNode], flowFor(env.sim, [node({ script: 'show system uptime' })]));
    const r = await send('n1', {});
    should(r.caught.statusCode).equal(409);
    should(r.caught.error.message).equal('run CLI script failed: 409 Conflict: Device is currently performing HA synchronization');
  });

  it('never shows the password or the Basic auth header in msgs, statuses or the log', async function () {
    await load([cliNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const ok = await send('n1', { payload: 'show system uptime' });
    const bad = await send('n1', { payload: 'nonsense' });
    const refused = await send('n1', { payload: '' });
    await new Promise((resolve) => setImmediate(resolve));
    should(ok.out).be.ok();
    should(bad.caught).be.ok();
    assertNoSecret([ok, bad, refused, status, logLines()]);
  });
});

'use strict';
const should = require('should');
const { useSimulator, helper, waitFor, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');

const saveNode = require('../../nodes/mediant-save-config.js');
const requestNode = require('../../nodes/mediant-request.js');

const NODE = { id: 'n1', type: 'mediant-save-config', name: '' };

describe('mediant-save-config node', function () {
  const env = useSimulator();

  it('saves the running configuration and sends {} for the empty answer', async function () {
    const change = { id: 'chg', type: 'mediant-request', method: 'PUT', path: '/files/ini/incremental', wires: [[]] };
    await load([saveNode, requestNode], flowFor(env.sim, [NODE, change]));
    // a configuration change the device has not saved yet
    helper.getNode('chg').receive({ payload: '[SYSTEM Params]\nNTPServerIP = 10.9.9.9\n' });
    await waitFor(() => env.sim.control.state().unsaved);
    const statuses = recordStatus('n1');
    const r = await send('n1', { _msgid: 'm1', topic: 'save', extra: true });
    should(r.out).be.ok();
    should(r.out.payload).eql({});
    should(r.out.statusCode).equal(200);
    should(r.out.device).equal(`127.0.0.1:${env.sim.port}`);
    should(r.out.topic).equal('save');
    should(r.out.extra).equal(true);
    should(r.out._msgid).equal('m1');
    should(env.sim.control.state().unsaved).be.false();
    should(apiLog(env.sim).filter((e) => e.path === '/api/v1/actions/saveConfiguration').map((e) => e.method)).eql(['POST']);
    should(statuses[statuses.length - 1].fill).equal('green');
    assertNoSecret([r.out, statuses, logLines()]);
  });

  it('409 (HA synchronization) reaches the Catch node with the device description', async function () {
    await load([saveNode], flowFor(env.sim, [NODE]));
    env.sim.control.setFaults({ haSync: true });
    const statuses = recordStatus('n1');
    const r = await send('n1', { topic: 't' });
    should(r.caught).be.ok();
    should(r.caught.statusCode).equal(409);
    should(r.caught.error.message).equal('save configuration failed: 409 Conflict: Device is currently performing HA synchronization');
    should(r.caught.topic).equal('t');
    should(statuses[statuses.length - 1].text).startWith('409 Conflict');
    assertNoSecret([r.caught, statuses, logLines()]);
  });
});

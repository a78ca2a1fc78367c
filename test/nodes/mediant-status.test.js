'use strict';
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');
const { FIRMWARE, profileOf } = require('../helpers/sim');

const statusNode = require('../../nodes/mediant-status.js');

const NODE = { id: 'n1', type: 'mediant-status', name: '' };

describe('mediant-status node', function () {
  const env = useSimulator();

  it('sends the status object, statusCode and device, keeping the other msg properties', async function () {
    await load([statusNode], flowFor(env.sim, [NODE], { name: 'lab-sbc' }));
    const statuses = recordStatus('n1');
    const r = await send('n1', { _msgid: 'm1', topic: 'poll', payload: 'ignored', user: { a: 1 } });
    should(r.out).be.ok();
    const msg = r.out;
    should(msg._msgid).equal('m1');
    should(msg.topic).equal('poll');
    should(msg.user).eql({ a: 1 });
    should(msg.statusCode).equal(200);
    should(msg.device).equal('lab-sbc');
    should(msg.payload).have.properties(['productType', 'versionID', 'operationalState', 'highAvailability', 'ipAddress', 'localTimeStamp']);
    should(apiLog(env.sim).map((e) => `${e.method} ${e.path}`)).eql(['GET /api/v1/status']);
    // blue while requesting, then green with the operational state
    should(statuses[0]).have.properties({ fill: 'blue' });
    const last = statuses[statuses.length - 1];
    should(last.fill).equal('green');
    should(last.text).startWith(msg.payload.operationalState);
    assertNoSecret([msg, statuses, logLines()]);
  });

  it('401 (wrong password) reaches the Catch node with the device description', async function () {
    await load([statusNode], flowFor(env.sim, [NODE]), { dev1: { username: 'Admin', password: 'wrong-one-123' } });
    const statuses = recordStatus('n1');
    const r = await send('n1', { topic: 'x' });
    should(r.caught).be.ok();
    should(r.caught.topic).equal('x');
    should(r.caught.statusCode).equal(401);
    should(r.caught.error.message).equal('status failed: 401 Unauthorized: valid credentials are required');
    const last = statuses[statuses.length - 1];
    should(last.fill).equal('red');
    should(last.text).startWith('401 Unauthorized');
    assertNoSecret([r.caught, statuses, logLines()], 'wrong-one-123');
  });

  it(FIRMWARE === '7.4' ? 'a Monitor (read-only) user reads the status' : '403 for a user without Security Administrator privilege, naming the levels', async function () {
    await load([statusNode], flowFor(env.sim, [NODE]), { dev1: { username: 'Monitor', password: 'Monitor' } });
    const r = await send('n1', {});
    if (FIRMWARE === '7.4') {
      should(r.out.statusCode).equal(200);
      return;
    }
    should(r.caught.statusCode).equal(403);
    should(r.caught.error.message).equal(
      `status failed: 403 Forbidden: ${profileOf().privileges.denied.replace(/^Forbidden: /, '')} — this needs a user of level Monitor or higher on firmware 7.4 and later, a Security Administrator on 7.0 and 7.2`,
    );
  });

  it('500 with an HTML page from the device', async function () {
    await load([statusNode], flowFor(env.sim, [NODE]));
    env.sim.control.setFaults({ htmlError: true });
    const r = await send('n1', {});
    should(r.caught.statusCode).equal(500);
    should(r.caught.error.message).match(/^status failed: 500 Internal Server Error/);
  });

  it('a malformed answer has its own message', async function () {
    await load([statusNode], flowFor(env.sim, [NODE]));
    env.sim.control.setFaults({ malformedJson: true });
    const r = await send('n1', {});
    should(r.caught.error.message).match(/^status failed: bad response: /);
  });

  it('an unreachable device has its own message and no statusCode', async function () {
    await load([statusNode], flowFor(env.sim, [NODE]));
    env.sim.control.setFaults({ down: true });
    const statuses = recordStatus('n1');
    const r = await send('n1', {});
    should(r.caught.error.message).match(/^status failed: network: /);
    should(r.caught).not.have.property('statusCode');
    should(statuses[statuses.length - 1].fill).equal('red');
  });

  it('without a device, refuses every message and sends nothing', async function () {
    const flow = flowFor(env.sim, [{ ...NODE, device: '' }]);
    await load([statusNode], flow);
    const r = await send('n1', {});
    should(r.caught.error.message).match(/no mediant-device config node is selected/);
    should(apiLog(env.sim)).have.length(0);
  });
});

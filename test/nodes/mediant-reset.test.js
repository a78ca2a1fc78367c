'use strict';
const should = require('should');
const { useSimulator, helper, waitFor, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');

const resetNode = require('../../nodes/mediant-reset.js');
const requestNode = require('../../nodes/mediant-request.js');

/** Long enough for a poll to see the device down, short enough for a test. */
const BOOT_MS = 1500;
const NODE = { id: 'n1', type: 'mediant-reset', name: '', saveConfiguration: true, gracefulTimeout: 0, waitForRestart: false, restartTimeout: 600 };

describe('mediant-reset node', function () {
  const env = useSimulator({ bootTimeMs: BOOT_MS });

  const resets = () => apiLog(env.sim).filter((e) => e.path === '/api/v1/actions/reset');

  it("sends the device's answer, statusCode and device, keeping the other msg properties", async function () {
    await load([resetNode], flowFor(env.sim, [NODE], { name: 'lab-sbc' }));
    const statuses = recordStatus('n1');
    const boots = env.sim.control.state().bootCount;
    const r = await send('n1', { _msgid: 'm1', topic: 'maintenance', payload: 123, ticket: 'CHG-1' });
    should(r.out).be.ok();
    should(r.out.payload).eql({ description: 'Device will reset now' });
    should(r.out.statusCode).equal(200);
    should(r.out.device).equal('lab-sbc');
    should(r.out._msgid).equal('m1');
    should(r.out.topic).equal('maintenance');
    should(r.out.ticket).equal('CHG-1');
    should(r.out).not.have.property('reset');
    await waitFor(() => env.sim.control.state().bootCount === boots + 1);
    should(resets().map((e) => e.method)).eql(['POST']);
    should(statuses[statuses.length - 1].fill).equal('green');
    assertNoSecret([r.out, statuses, logLines()]);
  });

  describe('saveConfiguration', function () {
    const CHANGE = { id: 'chg', type: 'mediant-request', method: 'PUT', path: '/files/ini/incremental', wires: [[]] };
    let NTP;
    let n = 0;

    async function changeThenReset(nodeProps, msg) {
      // a value the device has not had before, so the change is unsaved
      NTP = `NTPServerIP = 10.9.9.${++n}`;
      await load([resetNode, requestNode], flowFor(env.sim, [{ ...NODE, ...nodeProps }, CHANGE]));
      const changed = new Promise((resolve) => helper.getNode('chg').on('call:status', (c) => c.args[0].fill === 'green' && resolve()));
      const failed = new Promise((resolve) => helper.getNode('caught').once('input', resolve));
      helper.getNode('chg').receive({ payload: `[SYSTEM Params]\n${NTP}\n` });
      const fail = await Promise.race([changed, failed]);
      if (fail) throw new Error(`the change failed: ${fail.error.message}`);
      should(env.sim.control.state().unsaved).be.true();
      const r = await send('n1', msg);
      should(r.out.statusCode).equal(200);
      await new Promise((res) => setTimeout(res, 50));
      await env.sim.control.waitUntilUp();
      return env.sim.control.state().ini;
    }

    it('is true by default: the change survives the reset', async function () {
      const ini = await changeThenReset({}, {});
      should(ini).containEql(NTP);
    });

    it('msg.saveConfiguration false overrides it: the unsaved change is lost', async function () {
      const ini = await changeThenReset({}, { saveConfiguration: false });
      should(ini).not.containEql(NTP);
    });

    it('msg.saveConfiguration true overrides a node set to false', async function () {
      const ini = await changeThenReset({ saveConfiguration: false }, { saveConfiguration: true });
      should(ini).containEql(NTP);
    });
  });

  it('msg.gracefulTimeout "30" is taken and sent as the number the device expects', async function () {
    await load([resetNode], flowFor(env.sim, [NODE]));
    // the device answers 400 to anything but an integer: a string sent as is would fail
    const r = await send('n1', { gracefulTimeout: '30' });
    should(r.out.statusCode).equal(200);
    should(resets()).have.length(1);
  });

  describe('refuses bad msg values before any request', function () {
    const cases = [
      [{ gracefulTimeout: 'abc' }, 'msg.gracefulTimeout must be an integer >= 0, got "abc"'],
      [{ gracefulTimeout: -1 }, 'msg.gracefulTimeout must be an integer >= 0, got -1'],
      [{ gracefulTimeout: 1.5 }, 'msg.gracefulTimeout must be an integer >= 0, got 1.5'],
      [{ saveConfiguration: 'yes' }, 'msg.saveConfiguration must be true or false, got "yes"'],
      [{ waitForRestart: 1 }, 'msg.waitForRestart must be true or false, got 1'],
    ];
    for (const [msg, message] of cases) {
      it(`${JSON.stringify(msg)}`, async function () {
        await load([resetNode], flowFor(env.sim, [NODE]));
        const statuses = recordStatus('n1');
        const r = await send('n1', { ...msg, topic: 't' });
        should(r.caught).be.ok();
        should(r.caught.error.message).equal(message);
        should(r.caught.topic).equal('t');
        should(r.caught).not.have.property('statusCode');
        should(statuses[statuses.length - 1].fill).equal('red');
        should(apiLog(env.sim)).have.length(0);
      });
    }

    it('a bad restartTimeout property', async function () {
      await load([resetNode], flowFor(env.sim, [{ ...NODE, waitForRestart: true, restartTimeout: 0 }]));
      const r = await send('n1', {});
      should(r.caught.error.message).equal('property restartTimeout must be an integer from 1 to 2000000, got 0');
      should(apiLog(env.sim)).have.length(0);
    });
  });

  it('409 (HA synchronization) reaches the Catch node with the device description', async function () {
    await load([resetNode], flowFor(env.sim, [NODE]));
    env.sim.control.setFaults({ haSync: true });
    const r = await send('n1', { topic: 't' });
    should(r.caught.statusCode).equal(409);
    should(r.caught.error.message).equal('reset failed: 409 Conflict: Device is currently performing HA synchronization');
    should(r.caught.topic).equal('t');
    assertNoSecret([r.caught, logLines()]);
  });

  describe('waitForRestart', function () {
    it('waits across the reboot and sends the new status, with the reset answer in msg.reset', async function () {
      await load([resetNode], flowFor(env.sim, [{ ...NODE, waitForRestart: true }], { name: 'lab-sbc' }));
      const statuses = recordStatus('n1');
      const boots = env.sim.control.state().bootCount;
      const r = await send('n1', { topic: 'reboot' });
      should(r.out).be.ok();
      should(r.out.reset).eql({ description: 'Device will reset now' });
      should(r.out.payload).have.properties(['productType', 'operationalState']);
      should(r.out.statusCode).equal(200);
      should(r.out.topic).equal('reboot');
      should(r.out.device).equal('lab-sbc');
      // it has rebooted, it is up, and the node saw it go down before taking an answer
      should(env.sim.control.state().bootCount).equal(boots + 1);
      should(env.sim.control.state().up).be.true();
      const polls = apiLog(env.sim).filter((e) => e.path === '/api/v1/status');
      should(polls.some((e) => e.status !== 200)).be.true();
      should(polls[polls.length - 1].status).equal(200);
      should(statuses.some((s) => s.fill === 'yellow' && s.text === 'restarting…')).be.true();
      should(statuses[statuses.length - 1].fill).equal('green');
      assertNoSecret([r.out, statuses, logLines()]);
    });

    it('msg.waitForRestart true overrides a node set not to wait', async function () {
      await load([resetNode], flowFor(env.sim, [NODE]));
      const r = await send('n1', { waitForRestart: true });
      should(r.out.reset).eql({ description: 'Device will reset now' });
      should(r.out.payload).have.property('operationalState');
    });

    it('refuses a second reset of the same device while the first waits', async function () {
      const second = { ...NODE, id: 'n2' };
      await load([resetNode], flowFor(env.sim, [{ ...NODE, waitForRestart: true }, second], { name: 'lab-sbc' }));
      const statuses = recordStatus('n1');
      const sent = [];
      const caught = [];
      helper.getNode('out').on('input', (m) => sent.push(m));
      helper.getNode('caught').on('input', (m) => caught.push(m));
      helper.getNode('n1').receive({ topic: 'first' });
      await waitFor(() => statuses.some((s) => s.text === 'restarting…'));
      helper.getNode('n2').receive({ topic: 'second' });
      await waitFor(() => caught.length === 1);
      should(caught[0].topic).equal('second');
      should(caught[0].error.message).equal('reset refused: a reset of lab-sbc is already under way');
      should(sent).have.length(0); // the first is still waiting
      await waitFor(() => sent.length === 1);
      should(sent[0].topic).equal('first');
      should(sent[0].reset).eql({ description: 'Device will reset now' });
      // the looping flow's second message did not reach the device
      should(resets()).have.length(1);
      // once the first has finished, the device may be reset again
      const again = await send('n2', { topic: 'third' });
      should(again.out.statusCode).equal(200);
      should(resets()).have.length(2);
    });

    it('gives up after restartTimeout with an error in plain words', async function () {
      await load([resetNode], flowFor(env.sim, [{ ...NODE, waitForRestart: true, restartTimeout: 1 }], { name: 'lab-sbc' }));
      const r = await send('n1', {});
      should(r.caught).be.ok();
      should(r.caught.error.message).match(/^reset failed: lab-sbc did not answer \/status within 1 s after the reset \(last: status failed: .+\)/);
      assertNoSecret([r.caught, logLines()]);
    });

    it('stops polling when the flow is stopped while waiting', async function () {
      await load([resetNode], flowFor(env.sim, [{ ...NODE, waitForRestart: true }]));
      const statuses = recordStatus('n1');
      let sent = false;
      helper.getNode('out').on('input', () => (sent = true));
      helper.getNode('n1').receive({});
      await waitFor(() => statuses.some((s) => s.text === 'restarting…'));
      await helper.unload();
      const polls = apiLog(env.sim).length;
      await env.sim.control.waitUntilUp();
      await new Promise((res) => setTimeout(res, 2500));
      should(apiLog(env.sim)).have.length(polls);
      should(sent).be.false();
    });
  });
});

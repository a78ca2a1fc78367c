'use strict';
// The 7.4 SIP test call (/api/v1/sipTestCall): dial, status, show, drop, and what destinations do.
const should = require('should');
const { simPerTest, api, ctl, basic, jsonBody, until, FIRMWARES } = require('./_util');

const MONITOR = basic('Monitor', 'Monitor');
const T = '/api/v1/sipTestCall';

/** Place a call as the read-only user (Monitor may use test calls); resolves the sessionId. */
async function dial(sim, body) {
  const r = await api(sim, 'POST', `${T}/dial`, { ...jsonBody({ calledNumber: '200', callingNumber: '100', ...body }), auth: MONITOR });
  r.status.should.equal(200, r.text);
  Object.keys(r.json).should.deepEqual(['sessionId']);
  r.json.sessionId.should.be.a.Number();
  return r.json.sessionId;
}

const status = async (sim, id) => {
  const r = await api(sim, 'GET', `${T}/getStatus?sessionId=${id}`, { auth: MONITOR });
  r.status.should.equal(200, r.text);
  return r.json;
};

/** Poll the status until `pred` holds (mocha's timeout bounds it). */
const statusWhen = (sim, id, pred) =>
  until(async () => {
    const s = await status(sim, id);
    return pred(s) ? s : undefined;
  }, 25);

const isFinal = (s) => s.callStatus === 'Disconnected' || s.callStatus.startsWith('Failed');

describe('simulator: SIP test call (/api/v1/sipTestCall, firmware 7.4)', function () {
  const env = simPerTest({ firmware: '7.4' });

  it('an IP group answers: Dialing, then Connected with media statistics; DELETE drop releases it (RELEASE_BECAUSE_MANUAL_DISC)', async () => {
    const id = await dial(env.sim, { destIpGroup: 'PSTN Trunk', timeout: 60 });
    const first = await status(env.sim, id);
    first.callStatus.should.equal('Dialing');
    first.callId.should.match(/^[0-9]+@127\.0\.0\.1$/);
    first.should.not.have.properties(['releaseCause', 'localStats', 'remoteStats']);
    const up = await statusWhen(env.sim, id, (s) => s.callStatus === 'Connected');
    up.callId.should.equal(first.callId);
    up.should.not.have.property('releaseCause');
    up.localStats.should.have.properties(['codec', 'txPackets', 'rxPackets', 'packetLossPercent', 'jitterMs', 'mos']);
    up.localStats.codec.should.be.a.String();
    Number.isInteger(up.localStats.txPackets).should.be.true();
    up.remoteStats.mos.should.be.a.Number();
    const r = await api(env.sim, 'DELETE', `${T}/drop?sessionId=${id}`, { auth: MONITOR });
    r.status.should.equal(200);
    r.text.should.equal('');
    const end = await status(env.sim, id);
    end.should.have.properties({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MANUAL_DISC', callId: first.callId });
    end.localStats.should.be.an.Object();
    // the statistics stop when the call ends
    await new Promise((res) => setTimeout(res, 60));
    (await status(env.sim, id)).localStats.should.deepEqual(end.localStats);
    // dropping an ended call changes nothing
    (await api(env.sim, 'DELETE', `${T}/drop?sessionId=${id}`)).status.should.equal(200);
    (await status(env.sim, id)).releaseCause.should.equal('RELEASE_BECAUSE_MANUAL_DISC');
  });

  it('a connected call ends at its timeout (seconds from the dial): RELEASE_BECAUSE_MAX_DURATION_TIMER_EXPIRED', async () => {
    const id = await dial(env.sim, { destIpGroup: '0', timeout: 1 });
    await statusWhen(env.sim, id, (s) => s.callStatus === 'Connected');
    const end = await statusWhen(env.sim, id, isFinal);
    end.should.have.properties({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MAX_DURATION_TIMER_EXPIRED' });
    end.localStats.txPackets.should.be.above(0);
  });

  it('a destination the simulated network does not know: nothing answers, released as unreachable at the SIP timeout or the call’s', async () => {
    const id = await dial(env.sim, { destAddress: '198.51.100.7:5060', timeout: 1 });
    (await status(env.sim, id)).callStatus.should.equal('Dialing');
    const end = await statusWhen(env.sim, id, isFinal);
    end.should.have.properties({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_DESTINATION_UNREACHABLE' });
    end.should.not.have.properties(['localStats', 'remoteStats']);
    env.sim.control.testCalls().find((c) => c.sessionId === id).should.have.properties({ destination: '198.51.100.7:5060', connected: false });
  });

  it('what a destination does is set through the control API: busy, reject, noAnswer, noResources, answer, any other ("*")', async () => {
    const c = env.sim.control;
    c.setTestCallDestination('pbx.example.net', { outcome: 'busy', afterMs: 10 });
    c.setTestCallDestination('PBX', { outcome: 'reject', afterMs: 10 });
    c.setTestCallDestination('3', { outcome: 'noAnswer', afterMs: 10 });
    c.setTestCallDestination('10.0.0.9', { outcome: 'noResources' });
    (await ctl(env.sim, 'PUT', '/test-call/destinations', { destination: '10.0.0.10', outcome: 'answer', afterMs: 10, mos: 2.1, packetLoss: 7 })).status.should.equal(200);
    (await ctl(env.sim, 'PUT', '/test-call/destinations', { destination: '*', outcome: 'unreachable', afterMs: 10 })).status.should.equal(200);
    const busy = await dial(env.sim, { destAddress: 'PBX.example.net', timeout: 30 });
    const reject = await dial(env.sim, { destIpGroup: 'pbx', timeout: 30 });
    const ringing = await dial(env.sim, { destIpGroup: 'Lab', timeout: 1 });
    const noRes = await dial(env.sim, { destAddress: '10.0.0.9' });
    const poor = await dial(env.sim, { destAddress: '10.0.0.10', timeout: 30 });
    const other = await dial(env.sim, { destAddress: 'unknown.example', timeout: 30 });
    (await statusWhen(env.sim, busy, isFinal)).releaseCause.should.equal('RELEASE_BECAUSE_DESTINATION_BUSY');
    (await statusWhen(env.sim, reject, isFinal)).should.have.properties({ callStatus: 'Disconnected', releaseCause: 'GWAPP_UNASSIGNED_NUMBER' });
    (await statusWhen(env.sim, ringing, (s) => s.callStatus !== 'Dialing')).callStatus.should.equal('Ringing');
    (await statusWhen(env.sim, ringing, isFinal)).releaseCause.should.equal('RELEASE_BECAUSE_NOANSWER');
    (await status(env.sim, noRes)).should.have.properties({ callStatus: 'Failed,NoResources', releaseCause: 'RELEASE_BECAUSE_RSRC_PROBLEM' });
    const q = await statusWhen(env.sim, poor, (s) => s.callStatus === 'Connected');
    q.localStats.mos.should.equal(2.1);
    q.localStats.packetLossPercent.should.equal(7);
    (await statusWhen(env.sim, other, isFinal)).releaseCause.should.equal('RELEASE_BECAUSE_DESTINATION_UNREACHABLE');
    // back to the defaults: an IP group answers again
    (await ctl(env.sim, 'DELETE', '/test-call/destinations')).status.should.equal(200);
    const again = await dial(env.sim, { destIpGroup: 'PBX', timeout: 30 });
    await statusWhen(env.sim, again, (s) => s.callStatus === 'Connected');
  });

  it('an IP group fails while an active alarm names it (or its trunk or proxy set), and answers once the alarm clears', async () => {
    const a = env.sim.control.raiseAlarm({ description: 'Trunk is down', source: 'Trunk#1' });
    const down = await dial(env.sim, { destIpGroup: 'PSTN Trunk', timeout: 30 });
    (await statusWhen(env.sim, down, isFinal)).releaseCause.should.equal('RELEASE_BECAUSE_DESTINATION_UNREACHABLE');
    // another IP group is not affected
    const teams = await dial(env.sim, { destIpGroup: 'Teams', timeout: 30 });
    await statusWhen(env.sim, teams, (s) => s.callStatus === 'Connected');
    env.sim.control.clearAlarm(a.id);
    const up = await dial(env.sim, { destIpGroup: '1', timeout: 30 });
    await statusWhen(env.sim, up, (s) => s.callStatus === 'Connected');
  });

  it(`the device holds ${5} calls at a time: one more is "Failed,NoResources"`, async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await dial(env.sim, { destIpGroup: 'Teams', timeout: 60 }));
    const sixth = await dial(env.sim, { destIpGroup: 'Teams', timeout: 60 });
    (await status(env.sim, sixth)).callStatus.should.equal('Failed,NoResources');
    (await api(env.sim, 'DELETE', `${T}/drop?sessionId=${ids[0]}`)).status.should.equal(200);
    const seventh = await dial(env.sim, { destIpGroup: 'Teams', timeout: 60 });
    (await status(env.sim, seventh)).callStatus.should.not.startWith('Failed');
    new Set([...ids, sixth, seventh]).size.should.equal(7); // session ids are unique
  });

  it('GET show: the defaults without a session, the call’s configuration with one', async () => {
    const def = await api(env.sim, 'GET', `${T}/show`, { auth: MONITOR });
    def.status.should.equal(200);
    def.json.should.deepEqual({
      calledNumber: '',
      callingNumber: '',
      destAddress: '',
      outInterface: -1,
      transportType: 'UDP',
      destIpGroup: '',
      playDtmfString: '',
      playToneIndex: 0,
      timeout: 20,
      keepResultTimeout: 720,
    });
    const id = await dial(env.sim, { destAddress: '10.1.2.3', outInterface: 2, transportType: 'TLS', playDtmfString: '3212333', timeout: 5 });
    (await api(env.sim, 'GET', `${T}/show?sessionId=${id}`)).json.should.deepEqual({
      calledNumber: '200',
      callingNumber: '100',
      destAddress: '10.1.2.3',
      outInterface: 2,
      transportType: 'TLS',
      destIpGroup: '',
      playDtmfString: '3212333',
      playToneIndex: 0,
      timeout: 5,
      keepResultTimeout: 720,
    });
    const r = await api(env.sim, 'GET', `${T}/show?sessionId=123`);
    r.status.should.equal(404);
    r.json.should.deepEqual({ errorDescription: 'Session ID does not exist' });
  });

  it('status and drop: 400 without a session ID, 404 for one that does not exist (errorDescription)', async () => {
    for (const [method, p] of [
      ['GET', 'getStatus'],
      ['DELETE', 'drop'],
    ]) {
      for (const q of ['', '?sessionId=']) {
        const r = await api(env.sim, method, `${T}/${p}${q}`);
        r.status.should.equal(400, `${method} ${p}${q}`);
        r.json.errorDescription.should.be.a.String();
      }
      for (const q of ['?sessionId=1', '?sessionId=abc', '?sessionId=577121441']) {
        const r = await api(env.sim, method, `${T}/${p}${q}`);
        r.status.should.equal(404, `${method} ${p}${q}`);
        r.json.should.deepEqual({ errorDescription: 'Session ID does not exist' });
      }
    }
  });

  it('dial checks its body as the device documents it (400 with errorDescription), and places nothing when refused', async () => {
    const base = { calledNumber: '200', callingNumber: '100', destIpGroup: 'Teams' };
    const bad = [
      {},
      { ...base, calledNumber: undefined },
      { ...base, callingNumber: '' },
      { ...base, calledNumber: 'x'.repeat(62) },
      { calledNumber: '200', callingNumber: '100' },
      { ...base, destIpGroup: 'No Such Group' },
      { ...base, destAddress: '10.0.0.1' },
      { ...base, outInterface: 1 },
      { calledNumber: '200', callingNumber: '100', destAddress: 'x'.repeat(51) },
      { calledNumber: '200', callingNumber: '100', destAddress: 'a b' },
      { ...base, playDtmfString: '12345678901234567' },
      { ...base, playDtmfString: '12x' },
      { ...base, playToneIndex: 81 },
      { ...base, playToneIndex: -2 },
      { ...base, timeout: 0 },
      { ...base, timeout: 2.5 },
      { ...base, timeout: '20' },
      { ...base, transportType: 'SCTP' },
      { ...base, colour: 'red' },
    ];
    for (const body of bad) {
      const r = await api(env.sim, 'POST', `${T}/dial`, jsonBody(body));
      r.status.should.equal(400, JSON.stringify(body));
      Object.keys(r.json).should.deepEqual(['errorDescription']);
    }
    for (const raw of ['not json', '[]', '"x"']) {
      const r = await api(env.sim, 'POST', `${T}/dial`, { body: raw, headers: { 'content-type': 'application/json' } });
      r.status.should.equal(400);
      r.json.should.have.property('errorDescription');
    }
    env.sim.control.testCalls().should.deepEqual([]);
  });

  it('method and privilege: POST dial, GET status/show, DELETE drop (405 otherwise); Monitor may use all of it', async () => {
    for (const [method, p, allow] of [
      ['GET', 'dial', 'POST'],
      ['POST', 'getStatus', 'GET'],
      ['PUT', 'show', 'GET'],
      ['POST', 'drop', 'DELETE'],
    ]) {
      const r = await api(env.sim, method, `${T}/${p}`, { auth: MONITOR });
      r.status.should.equal(405, `${method} ${p}`);
      r.headers.allow.should.equal(allow);
      r.json.should.have.property('errorDescription');
    }
    const r = await api(env.sim, 'GET', T, { auth: MONITOR });
    r.status.should.equal(200);
    r.json.items.map((i) => i.id).should.deepEqual(['dial', 'getStatus', 'show', 'drop']);
  });

  it('memory stays bounded: the device keeps the results of the last 50 calls at most', async () => {
    env.sim.control.setTestCallDestination('*', { outcome: 'noResources' });
    const ids = [];
    for (let i = 0; i < 60; i++) ids.push(await dial(env.sim, { destAddress: `10.9.0.${i}` }));
    env.sim.control.testCalls().length.should.be.belowOrEqual(50);
    (await api(env.sim, 'GET', `${T}/getStatus?sessionId=${ids[0]}`)).status.should.equal(404);
    (await status(env.sim, ids[59])).callStatus.should.equal('Failed,NoResources');
  });

  it('a reboot ends and forgets every call', async () => {
    const id = await dial(env.sim, { destIpGroup: 'Teams', timeout: 60 });
    env.sim.control.reboot(0);
    await env.sim.control.waitUntilUp();
    (await api(env.sim, 'GET', `${T}/getStatus?sessionId=${id}`)).status.should.equal(404);
    env.sim.control.state().testCalls.should.deepEqual([]);
  });

  it('the control API refuses what it cannot do', async () => {
    const c = env.sim.control;
    (() => c.setTestCallDestination('x', { outcome: 'explode' })).should.throw(TypeError);
    (() => c.setTestCallDestination('x', { outcome: 'answer', afterMs: -1 })).should.throw(TypeError);
    (() => c.setTestCallDestination('x', { outcome: 'answer', mos: 6 })).should.throw(TypeError);
    (() => c.setTestCallDestination('', { outcome: 'answer' })).should.throw(TypeError);
    (() => c.setTestCallDestination('x', 'answer')).should.throw(TypeError);
    (await ctl(env.sim, 'PUT', '/test-call/destinations', { destination: 'x', outcome: 'explode' })).status.should.equal(400);
    // null forgets one setting
    c.setTestCallDestination('Teams', { outcome: 'busy', afterMs: 0 });
    c.setTestCallDestination('Teams', null);
    const id = await dial(env.sim, { destIpGroup: 'Teams', timeout: 30 });
    await statusWhen(env.sim, id, (s) => s.callStatus === 'Connected');
    const list = (await ctl(env.sim, 'GET', '/test-calls')).json;
    list.should.deepEqual([{ sessionId: id, destination: 'IP Group 0 (Teams)', callStatus: 'Connected', connected: true }]);
  });

  for (const fw of FIRMWARES.filter((f) => f !== '7.4')) {
    describe(`firmware ${fw}`, () => {
      const old = simPerTest({ firmware: fw });

      it('has no /sipTestCall: 404 with description, and the control API says so', async () => {
        const r = await api(old.sim, 'POST', `${T}/dial`, jsonBody({ calledNumber: '1', callingNumber: '2', destIpGroup: '0' }));
        r.status.should.equal(404);
        r.json.should.have.property('description');
        (() => old.sim.control.setTestCallDestination('*', { outcome: 'answer' })).should.throw(/has no SIP test call/);
        should(old.sim.control.testCalls()).deepEqual([]);
      });
    });
  }
});

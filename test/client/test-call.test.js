'use strict';
// The SIP test call of firmware 7.40A.600+ through the client: dial, status,
// show, drop, a whole call run to its final status (dropped on abort or when
// the wait runs out), every dial field checked before a request.
const should = require('should');
const { isFinalTestCallStatus } = require('../../client');
const { useSimClient, clientFor, failsWith, settledLog, MONITOR_PASSWORD } = require('./_common');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DIAL = { calledNumber: '200', callingNumber: '100' };

describe('client: SIP test call (/sipTestCall, firmware 7.4)', function () {
  const env = useSimClient({ firmware: '7.4' });

  it('dials an IP group: a session id of digits, Dialing then Connected, show, drop', async function () {
    const d = await env.client.dialTestCall({ ...DIAL, destIpGroup: 'PBX', timeout: 60, transportType: 'tcp' });
    d.statusCode.should.equal(200);
    d.body.sessionId.should.be.a.String().and.match(/^[0-9]+$/);
    const id = d.body.sessionId;
    const first = await env.client.getTestCallStatus(id);
    first.body.callStatus.should.equal('Dialing');
    isFinalTestCallStatus(first.body).should.be.false();
    let up;
    for (let i = 0; i < 100 && !(up && up.callStatus === 'Connected'); i++) {
      await sleep(50);
      up = (await env.client.getTestCallStatus(id)).body;
    }
    up.callStatus.should.equal('Connected');
    up.localStats.should.be.an.Object();
    const shown = await env.client.showTestCall(id);
    shown.body.should.containEql({ calledNumber: '200', callingNumber: '100', destIpGroup: 'PBX', transportType: 'TCP', timeout: 60 });
    const dropped = await env.client.dropTestCall(id);
    dropped.statusCode.should.equal(200);
    dropped.body.should.eql({});
    const end = await env.client.getTestCallStatus(id);
    end.body.should.containEql({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MANUAL_DISC' });
    isFinalTestCallStatus(end.body).should.be.true();
  });

  it('show without a session gives the device\'s defaults', async function () {
    const r = await env.client.showTestCall();
    r.body.should.containEql({ timeout: 20, transportType: 'UDP' });
  });

  it('runs a call to its end: connected, released at its timeout, with media statistics', async function () {
    const seen = [];
    const r = await env.client.runTestCall({ ...DIAL, destIpGroup: 1, timeout: 1 }, { pollIntervalMs: 100, onStatus: (s) => seen.push(s.callStatus) });
    r.body.connected.should.be.true();
    r.body.dropped.should.be.false();
    r.body.sessionId.should.match(/^[0-9]+$/);
    r.body.status.should.containEql({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MAX_DURATION_TIMER_EXPIRED' });
    r.body.status.localStats.mos.should.be.a.Number();
    seen.should.containEql('Connected');
    seen.at(-1).should.equal('Disconnected');
  });

  it('tells the caller the session id as soon as the dial is answered, before any status read', async function () {
    const told = [];
    const reads = () => env.sim.control.log().filter((e) => e.path.startsWith('/api/v1/sipTestCall/getStatus')).length;
    const before = reads();
    const r = await env.client.runTestCall({ ...DIAL, destIpGroup: 1, timeout: 1 }, {
      pollIntervalMs: 100,
      onDial: (id) => told.push({ id, reads: reads() - before }),
      onStatus: () => {
        throw new Error('a throwing callback does not end the call');
      },
    });
    told.should.eql([{ id: r.body.sessionId, reads: 0 }]);
    r.body.status.callStatus.should.equal('Disconnected');
  });

  it('a call that does not go through: busy, unreachable, no resources', async function () {
    env.sim.control.setTestCallDestination('PBX', { outcome: 'busy', afterMs: 100 });
    const busy = await env.client.runTestCall({ ...DIAL, destIpGroup: 'PBX', timeout: 5 }, { pollIntervalMs: 100 });
    busy.body.should.containDeep({ connected: false, dropped: false, status: { callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_DESTINATION_BUSY' } });
    // an address the simulated network does not know: nothing answers until the call's timeout
    const lost = await env.client.runTestCall({ ...DIAL, destAddress: '192.0.2.7:5060', timeout: 1 }, { pollIntervalMs: 200 });
    lost.body.connected.should.be.false();
    lost.body.status.releaseCause.should.equal('RELEASE_BECAUSE_DESTINATION_UNREACHABLE');
    // five calls at once are the most: a sixth has no resources (the five to
    // an IP group that answers and holds them: IP group 2 is the PBX, busy above)
    const held = [];
    for (let i = 0; i < 5; i++) held.push((await env.client.dialTestCall({ ...DIAL, destIpGroup: 'Teams', timeout: 60 })).body.sessionId);
    const none = await env.client.runTestCall({ ...DIAL, destIpGroup: 'Teams', timeout: 60 }, { pollIntervalMs: 100 });
    none.body.connected.should.be.false();
    none.body.status.callStatus.should.equal('Failed,NoResources');
    for (const id of held) await env.client.dropTestCall(id);
  });

  it('when the wait runs out, the call is dropped and its status after the drop is the result', async function () {
    const r = await env.client.runTestCall({ ...DIAL, destIpGroup: 'Teams', timeout: 600 }, { pollIntervalMs: 100, maxWaitMs: 700 });
    r.body.dropped.should.be.true();
    r.body.connected.should.be.true();
    r.body.status.should.containEql({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MANUAL_DISC' });
    env.sim.control.testCalls().find((c) => String(c.sessionId) === r.body.sessionId).callStatus.should.equal('Disconnected');
  });

  it('an abort drops the call and rejects with EABORTED', async function () {
    const ac = new AbortController();
    // aborted once the call is up (as a node closing, or a message's deadline passing, would)
    const onStatus = (s) => {
      if (s.callStatus === 'Connected') ac.abort();
    };
    const run = env.client.runTestCall({ ...DIAL, destIpGroup: 'Teams', timeout: 600 }, { pollIntervalMs: 100, signal: ac.signal, onStatus });
    const err = await failsWith(run, 'EABORTED');
    err.message.should.equal('test call cancelled');
    // the newest call is the aborted one; its drop goes out as the run rejects
    let last;
    for (let i = 0; i < 250; i++) {
      last = env.sim.control.testCalls().at(-1);
      if (last.callStatus === 'Disconnected') break;
      await sleep(20);
    }
    last.should.containEql({ destination: 'IP Group 0 (Teams)', callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MANUAL_DISC', connected: true });
  });

  it('without a timeout in the dial, the wait is the device\'s own (read from /show)', async function () {
    env.sim.control.setTestCallDestination('Lab', { outcome: 'reject', afterMs: 100 });
    env.sim.control.clearLog();
    const r = await env.client.runTestCall({ ...DIAL, destIpGroup: 'Lab' }, { pollIntervalMs: 100 });
    r.body.status.releaseCause.should.equal('GWAPP_UNASSIGNED_NUMBER');
    const log = await settledLog(env.sim, `/api/v1/sipTestCall/show?sessionId=${r.body.sessionId}`);
    log.map((e) => e.path).should.containEql(`/api/v1/sipTestCall/show?sessionId=${r.body.sessionId}`);
  });

  it('an unknown session is the device\'s 404, with its errorDescription', async function () {
    const err = await failsWith(env.client.getTestCallStatus('12345'), 'EHTTP');
    err.message.should.equal('read test call status failed: 404 Not Found: Session ID does not exist');
    (await failsWith(env.client.dropTestCall(12345), 'EHTTP')).statusCode.should.equal(404);
  });

  it('an IP group the device does not have is its 400 at dial', async function () {
    const err = await failsWith(env.client.dialTestCall({ ...DIAL, destIpGroup: 'Nowhere' }), 'EHTTP');
    err.message.should.equal('dial test call failed: 400 Bad Request: IP Group "Nowhere" does not exist');
  });

  it('a Monitor (read-only) user places a test call', async function () {
    const monitor = clientFor(env.sim, { username: 'Monitor', password: MONITOR_PASSWORD });
    try {
      const r = await monitor.runTestCall({ ...DIAL, destIpGroup: 0, timeout: 1 }, { pollIntervalMs: 200 });
      r.body.connected.should.be.true();
    } finally {
      await monitor.destroy();
    }
  });

  it('refuses every bad dial field, session id and option before any request', async function () {
    const c = env.client;
    env.sim.control.clearLog();
    const cases = [
      [c.dialTestCall(null), 'dial must be an object'],
      [c.dialTestCall({ callingNumber: '100', destIpGroup: '1' }), 'calledNumber must be a non-empty string of up to 61 characters, got nothing'],
      [c.dialTestCall({ ...DIAL, calledNumber: 'x'.repeat(62), destIpGroup: '1' }), 'calledNumber must be a non-empty string of up to 61 characters'],
      [c.dialTestCall({ ...DIAL, callingNumber: '100\r\nX-Injected: 1', destIpGroup: '1' }), 'callingNumber must be a non-empty string'],
      [c.dialTestCall({ ...DIAL }), 'destAddress must be a destination (or destIpGroup: an IP group index or name), got nothing'],
      [c.dialTestCall({ ...DIAL, destAddress: '10.0.0.1', destIpGroup: '1' }), 'destIpGroup must be nothing when destAddress is given'],
      [c.dialTestCall({ ...DIAL, destAddress: 'host/../actions' }), 'destAddress must be a host name, IP address or host:port'],
      [c.dialTestCall({ ...DIAL, destIpGroup: '1', outInterface: 1 }), 'outInterface must be nothing without destAddress'],
      [c.dialTestCall({ ...DIAL, destAddress: 'h', outInterface: -2 }), 'outInterface must be an integer from -1 to 65535'],
      [c.dialTestCall({ ...DIAL, destIpGroup: '1', playDtmfString: '12345678901234567' }), 'playDtmfString must be up to 16 DTMF digits'],
      [c.dialTestCall({ ...DIAL, destIpGroup: '1', playToneIndex: 81 }), 'playToneIndex must be an integer from -1 to 80'],
      [c.dialTestCall({ ...DIAL, destIpGroup: '1', timeout: 0 }), 'timeout must be an integer from 1 to 86400'],
      [c.dialTestCall({ ...DIAL, destIpGroup: '1', transportType: 'SCTP' }), 'transportType must be one of UDP, TCP, TLS'],
      [c.dialTestCall({ ...DIAL, destIpGroup: '1', keepResultTimeout: 5 }), 'keepResultTimeout must be not a dial field'],
      [c.getTestCallStatus('1&x=2'), 'sessionId must be a session id of decimal digits'],
      [c.getTestCallStatus(undefined), 'sessionId must be a session id of decimal digits, got nothing'],
      [c.showTestCall('../status'), 'sessionId must be'],
      [c.dropTestCall(-1), 'sessionId must be'],
      [c.runTestCall({ ...DIAL, destIpGroup: '1' }, { pollIntervalMs: 5 }), 'pollIntervalMs must be an integer from 100 to 60000'],
      [c.runTestCall({ ...DIAL, destIpGroup: '1' }, { onStatus: 'x' }), 'onStatus must be a function'],
      [c.runTestCall({ ...DIAL, destIpGroup: '1' }, { onDial: 7 }), 'onDial must be a function'],
      [c.runTestCall({ ...DIAL, destIpGroup: '1', timeout: -1 }), 'timeout must be'],
    ];
    for (const [p, text] of cases) {
      const err = await failsWith(p, 'EINPUT');
      err.message.should.startWith(text);
    }
    await c.getStatus();
    (await settledLog(env.sim, '/api/v1/status')).map((e) => e.path).should.eql(['/api/v1/status']);
  });
});

describe('client: SIP test call on firmware without it', function () {
  for (const firmware of ['7.0', '7.2']) {
    describe(`firmware ${firmware}`, function () {
      const env = useSimClient({ firmware });

      it('answers 404, an error that names the operation', async function () {
        const err = await failsWith(env.client.dialTestCall({ ...DIAL, destIpGroup: '1' }), 'EHTTP');
        err.message.should.equal('dial test call failed: 404 Not Found');
        should((await failsWith(env.client.runTestCall({ ...DIAL, destIpGroup: '1' }), 'EHTTP')).statusCode).equal(404);
      });
    });
  }
});

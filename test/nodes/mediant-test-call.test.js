'use strict';
// mediant-test-call against the simulator's firmware 7.4 profile (and the plain refusal of 7.0):
// a call dialled, waited for to its final status and sent as a result (connected or not), node
// settings first, every field checked before the dial, the call dropped when the node closes.
const should = require('should');
const { useSimulator, helper, flowFor, load, send, outcome, recordStatus, apiLog, assertNoSecret, logLines, waitFor } = require('../helpers/mediant-flow');

const callNode = require('../../nodes/mediant-test-call.js');

function node(props = {}) {
  return { id: 'n1', type: 'mediant-test-call', name: '', calledNumber: '200', callingNumber: '100', destIpGroup: '1', destAddress: '', transportType: '', timeout: '1', ...props };
}

const MONITOR = { dev1: { username: 'Monitor', password: 'Monitor' } };
const callRequests = (sim) => apiLog(sim).filter((e) => e.path.startsWith('/api/v1/sipTestCall')).map((e) => `${e.method} ${e.path.replace(/sessionId=[0-9]+/, 'sessionId=<id>')}`);
const dials = (sim) => apiLog(sim).filter((e) => e.path === '/api/v1/sipTestCall/dial');
/** What the device holds as the call's settings (GET /show?sessionId=), the fields a dial sets. */
async function dialled(sessionId) {
  const { body } = await helper.getNode('dev1').client.showTestCall(sessionId);
  const { calledNumber, callingNumber, destAddress, destIpGroup, transportType, timeout } = body;
  return { calledNumber, callingNumber, destAddress, destIpGroup, transportType, timeout };
}

describe('mediant-test-call node (firmware 7.4)', function () {
  this.timeout(60000);
  const env = useSimulator({ firmware: '7.4' });

  it('places a call, waits for its end and sends the final status: connected, cause, call id, media statistics', async function () {
    await load([callNode], flowFor(env.sim, [node({ timeout: '2' })]), MONITOR);
    const status = recordStatus('n1');
    const r = await send('n1', { topic: 'check trunk', keep: 'yes' });
    should(r.caught).be.undefined();
    const m = r.out;
    m.statusCode.should.equal(200);
    m.payload.should.containEql({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MAX_DURATION_TIMER_EXPIRED' });
    m.connected.should.be.true();
    m.sessionId.should.match(/^[0-9]+$/);
    m.callId.should.equal(m.payload.callId);
    m.releaseCause.should.equal('RELEASE_BECAUSE_MAX_DURATION_TIMER_EXPIRED');
    m.localStats.should.be.an.Object();
    m.localStats.should.eql(m.payload.localStats);
    m.remoteStats.should.be.an.Object();
    m.dropped.should.be.false();
    m.topic.should.equal('check trunk');
    m.keep.should.equal('yes');
    m.device.should.equal(`127.0.0.1:${env.sim.port}`);
    // the device's own record of the call
    env.sim.control.testCalls().find((c) => String(c.sessionId) === m.sessionId).should.containEql({ destination: 'IP Group 1 (PSTN Trunk)', connected: true });
    const log = callRequests(env.sim);
    log[0].should.equal('POST /api/v1/sipTestCall/dial');
    log.slice(1).every((l) => l === 'GET /api/v1/sipTestCall/getStatus?sessionId=<id>').should.be.true(log.join('\n'));
    (await dialled(m.sessionId)).should.eql({ calledNumber: '200', callingNumber: '100', destAddress: '', destIpGroup: '1', transportType: 'UDP', timeout: 2 });
    // what the status showed: dialling, then the device's words, then the result
    await new Promise((resolve) => setImmediate(resolve));
    const texts = status.map((s) => s.text);
    texts.should.containEql('dialling…');
    texts.some((x) => /^Connected/.test(x)).should.be.true(texts.join(' | '));
    status.at(-1).fill.should.equal('green');
    status.at(-1).text.should.startWith('connected · MAX_DURATION_TIMER_EXPI');
  });

  it('a call that does not connect is a result on the output, not an error', async function () {
    env.sim.control.setTestCallDestination('PBX', { outcome: 'busy', afterMs: 100 });
    await load([callNode], flowFor(env.sim, [node({ destIpGroup: 'PBX', timeout: '5' })]));
    const r = await send('n1', {});
    should(r.caught).be.undefined();
    r.out.connected.should.be.false();
    r.out.releaseCause.should.equal('RELEASE_BECAUSE_DESTINATION_BUSY');
    r.out.payload.callStatus.should.equal('Disconnected');
    should(r.out.localStats).be.null();
    should(r.out.remoteStats).be.null();
    // an IP group that an active alarm takes down is unreachable
    await helper.unload();
    const alarm = env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
    try {
      await load([callNode], flowFor(env.sim, [node({ destIpGroup: '1' })]));
      const trunk = await send('n1', {});
      trunk.out.connected.should.be.false();
      trunk.out.releaseCause.should.equal('RELEASE_BECAUSE_DESTINATION_UNREACHABLE');
    } finally {
      env.sim.control.clearAlarm(alarm.id);
    }
  });

  it('without a timeout, waits for the device\'s own default, asked with /show', async function () {
    env.sim.control.setTestCallDestination('*', { outcome: 'reject', afterMs: 200 });
    await load([callNode], flowFor(env.sim, [node({ destIpGroup: '', destAddress: 'sip.example.net', timeout: '' })]));
    const r = await send('n1', {});
    r.out.connected.should.be.false();
    r.out.releaseCause.should.equal('GWAPP_UNASSIGNED_NUMBER');
    callRequests(env.sim).should.containEql('GET /api/v1/sipTestCall/show?sessionId=<id>');
    (await dialled(r.out.sessionId)).should.containEql({ destAddress: 'sip.example.net', destIpGroup: '', timeout: 20 });
  });

  it('a request the device refuses reaches the Catch node with its status and words', async function () {
    await load([callNode], flowFor(env.sim, [node({ destIpGroup: '9' })]));
    const status = recordStatus('n1');
    const r = await send('n1', { topic: 'bad group' });
    should(r.out).be.undefined();
    r.caught.statusCode.should.equal(400);
    r.caught.topic.should.equal('bad group');
    r.caught.error.message.should.equal('dial test call failed: 400 Bad Request: IP Group "9" does not exist');
    await new Promise((resolve) => setImmediate(resolve));
    status.at(-1).fill.should.equal('red');
  });

  it('takes each field from the message where the node leaves it empty', async function () {
    env.sim.control.setTestCallDestination('lab.example.net:5080', { outcome: 'answer', afterMs: 100 });
    await load([callNode], flowFor(env.sim, [node({ calledNumber: '', callingNumber: '', destIpGroup: '', timeout: '' })]));
    const r = await send('n1', { calledNumber: '+15550100', callingNumber: 'probe', destAddress: 'lab.example.net:5080', transportType: 'tcp', timeout: 1 });
    r.out.connected.should.be.true();
    (await dialled(r.out.sessionId)).should.eql({ calledNumber: '+15550100', callingNumber: 'probe', destAddress: 'lab.example.net:5080', destIpGroup: '', transportType: 'TCP', timeout: 1 });
    should(logLines().filter((l) => l.level === helper.log().WARN && l.id === 'n1')).have.length(0);
  });

  it('the node\'s settings win: the message cannot change the number or the destination; one warning per field', async function () {
    await load([callNode], flowFor(env.sim, [node()]));
    const r1 = await send('n1', { calledNumber: '999', destAddress: 'elsewhere.example.net', timeout: 3 });
    const r2 = await send('n1', { calledNumber: '998' });
    for (const r of [r1, r2]) (await dialled(r.out.sessionId)).should.eql({ calledNumber: '200', callingNumber: '100', destAddress: '', destIpGroup: '1', transportType: 'UDP', timeout: 1 });
    const warnings = logLines().filter((l) => l.level === helper.log().WARN && l.id === 'n1').map((l) => l.msg);
    warnings.should.eql(['msg.calledNumber', 'msg.destAddress', 'msg.timeout'].map((p) => `${p} is ignored: the node's own setting wins (leave it empty to take it from the message)`));
  });

  it('refuses a bad or missing field before any request, naming where it came from', async function () {
    await load([callNode], flowFor(env.sim, [node({ calledNumber: '', destIpGroup: '', timeout: '' }), node({ id: 'n2', timeout: 'soon' })]));
    const cases = [
      [{ destIpGroup: '1' }, 'msg.calledNumber must be a non-empty string of up to 61 characters, got nothing'],
      [{ calledNumber: 'x'.repeat(62), destIpGroup: '1' }, /^msg\.calledNumber must be a non-empty string of up to 61 characters, got "x{10}/],
      [{ calledNumber: 200, destIpGroup: '1' }, 'msg.calledNumber must be a non-empty string of up to 61 characters, got 200'],
      [{ calledNumber: '200' }, /^msg\.destAddress must be a destination \(or destIpGroup: an IP group index or name\), got nothing$/],
      [{ calledNumber: '200', destIpGroup: '1', destAddress: 'h' }, /^msg\.destIpGroup must be nothing when destAddress is given/],
      [{ calledNumber: '200', destAddress: 'http://x/y' }, /^msg\.destAddress must be a host name, IP address or host:port/],
      [{ calledNumber: '200', destIpGroup: '1', timeout: 'abc' }, 'msg.timeout must be an integer from 1 to 86400, got "abc"'],
      [{ calledNumber: '200', destIpGroup: '1', timeout: 0 }, 'msg.timeout must be an integer from 1 to 86400, got 0'],
      [{ calledNumber: '200', destIpGroup: '1', transportType: 'SCTP' }, 'msg.transportType must be one of UDP, TCP, TLS, got "SCTP"'],
    ];
    for (const [msg, expected] of cases) {
      const r = await send('n1', msg);
      should(r.out).be.undefined();
      if (typeof expected === 'string') r.caught.error.message.should.equal(expected);
      else r.caught.error.message.should.match(expected);
    }
    const bad = await send('n2', {});
    bad.caught.error.message.should.equal('property timeout must be an integer from 1 to 86400, got "soon"');
    apiLog(env.sim).should.have.length(0);
  });

  it('drops the calls under way when the node closes, and sends nothing', async function () {
    const before = new Set(env.sim.control.testCalls().map((c) => c.sessionId));
    const ours = () => env.sim.control.testCalls().filter((c) => !before.has(c.sessionId));
    await load([callNode], flowFor(env.sim, [node({ timeout: '600' })]));
    const got = outcome(4000).catch(() => 'nothing');
    helper.getNode('n1').receive({});
    await waitFor(() => ours().some((c) => c.callStatus === 'Connected'));
    await helper.unload();
    ours().should.have.length(1);
    const call = ours()[0];
    call.should.containEql({ callStatus: 'Disconnected', releaseCause: 'RELEASE_BECAUSE_MANUAL_DISC' });
    callRequests(env.sim).should.containEql('DELETE /api/v1/sipTestCall/drop?sessionId=<id>');
    (await got).should.equal('nothing');
  });

  it('has at most 4 calls under way at once; one more message is refused before any request', async function () {
    await load([callNode], flowFor(env.sim, [node({ timeout: '600' })]));
    const n = helper.getNode('n1');
    for (let i = 0; i < 4; i++) n.receive({});
    await waitFor(() => dials(env.sim).length === 4);
    const r = await send('n1', { topic: 'fifth' });
    r.caught.error.message.should.equal('dial test call refused: 4 test calls from this node are already under way: wait for one to end');
    dials(env.sim).should.have.length(4);
    await helper.unload();
    env.sim.control.testCalls().filter((c) => c.releaseCause === 'RELEASE_BECAUSE_MANUAL_DISC').length.should.be.aboveOrEqual(4);
    env.sim.control.testCalls().every((c) => c.callStatus === 'Disconnected').should.be.true();
  });

  it('never shows the password or the Basic auth header in msgs, statuses or the log', async function () {
    await load([callNode], flowFor(env.sim, [node()]));
    const status = recordStatus('n1');
    const ok = await send('n1', {});
    const refused = await send('n1', { timeout: 'x' }); // ignored: the node has one
    await new Promise((resolve) => setImmediate(resolve));
    ok.out.should.be.ok();
    assertNoSecret([ok, refused, status, logLines()]);
  });
});

for (const firmware of ['7.0', '7.2']) describe(`mediant-test-call node (firmware ${firmware}: no SIP test call)`, function () {
  const env = useSimulator({ firmware });

  it('the device answers the dial with 404, and the error says which firmware has test calls', async function () {
    await load([callNode], flowFor(env.sim, [node()]));
    const r = await send('n1', {});
    should(r.out).be.undefined();
    r.caught.statusCode.should.equal(404);
    r.caught.error.message.should.match(/^dial test call failed: 404 Not Found.* — this device has no SIP test call \(firmware 7\.40A\.600 and later have one\)$/);
    callRequests(env.sim).should.eql(['POST /api/v1/sipTestCall/dial']);
  });
});

'use strict';
// examples/03 remediation.json: CLI fix for "Trunk is down", check, reset with waitForRestart when the fix did not help,
// a SIP test call that confirms the fix (firmware 7.4), report.
require('should');
const s = require('./support');

const FILE = '03 remediation.json';
const CLI_PATH = '/api/v1/files/cliScript/incremental';
const RESET_PATH = '/api/v1/actions/reset';
const DIAL_PATH = '/api/v1/sipTestCall/dial';

describe('example: 03 remediation', function () {
  this.timeout(60000);
  // a boot time the reset node can see: it first looks 1 s after the reset
  // (a real device takes minutes), and only an answer after it saw the
  // device down counts as "back"
  const env = s.useSimulator({ bootTimeMs: 2500, firmware: '7.4' });

  const requests = (method, path) => env.sim.control.log().filter((e) => e.method === method && e.path === path);

  it('runs the CLI fix, finds the alarm cleared and reports it, with no reset', async () => {
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const poll = s.nodeNamed(flow, 'active alarms');
    const cliRan = s.countInputs(s.nodeNamed(flow, 'CLI fix ran'));
    // another alarm, that the flow does not remediate, and the chosen one with the fix the device knows
    env.sim.control.raiseAlarm({ description: 'High CPU utilization', severity: 'Minor' });
    const trunk = env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
    poll.receive({});

    await s.waitFor(() => env.rx.chat.length >= 1, 'the report in the chat');
    env.rx.chat[0].body.text.should.equal('✅ Trunk is down on sbc cleared after the CLI fix; a test call went through');

    // the device ran the script once, and its alarm is gone; the other alarm was left alone
    requests('PUT', CLI_PATH).should.have.length(1);
    cliRan.count.should.equal(1);
    const state = env.sim.control.state();
    state.activeAlarms.map((a) => a.description).should.eql(['High CPU utilization']);
    state.alarmEvents.filter((e) => e.event === 'cleared').map((e) => e.alarm.id).should.eql([trunk.id]);
    // checked with GET /alarms/active/<id>, which answered 404: the expected answer, shown as a result, not a failure
    const check = requests('GET', `/api/v1/alarms/active/${trunk.id}`);
    check.map((e) => e.status).should.containEql(404);
    const checkNode = s.nodeNamed(flow, 'is it still active?');
    const shown = checkNode.status.getCalls().filter((c) => c.thisValue === checkNode).map((c) => c.args[0]);
    shown.at(-1).should.match({ fill: 'green', shape: 'dot', text: /^GET 404 Not Found · / });
    shown.filter((st) => st.fill === 'red').should.have.length(0);
    requests('POST', RESET_PATH).should.have.length(0);
    state.bootCount.should.equal(1);
    // the confirmation: one call through the trunk's IP group, placed after the check, that connected
    requests('POST', DIAL_PATH).should.have.length(1);
    requests('POST', DIAL_PATH)[0].seq.should.be.above(check.at(-1).seq);
    env.sim.control.testCalls().should.match([{ destination: 'IP Group 1 (PSTN Trunk)', connected: true }]);
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
  });

  it('says so when the alarm cleared but a test call still does not go through', async () => {
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    // the carrier still drops calls although the trunk is up again
    env.sim.control.setTestCallDestination('1', { outcome: 'unreachable', afterMs: 200 });
    env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
    s.nodeNamed(flow, 'active alarms').receive({});
    await s.waitFor(() => env.rx.chat.length >= 1, 'the report in the chat');
    env.rx.chat[0].body.text.should.equal('⚠️ Trunk is down on sbc cleared after the CLI fix; but a test call did not go through (RELEASE_BECAUSE_DESTINATION_UNREACHABLE)');
    requests('POST', RESET_PATH).should.have.length(0);
  });

  it('resets the device with waitForRestart when the fix leaves the alarm active, then reports', async () => {
    const bootsBefore = env.sim.control.state().bootCount;
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    // this time the CLI line does not clear it
    const trunk = env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#2' });
    s.nodeNamed(flow, 'active alarms').receive({});

    await s.waitFor(() => env.rx.chat.length >= 1, 'the report in the chat');
    const text = env.rx.chat[0].body.text;
    text.should.startWith('🔁 ');
    text.should.containEql('Trunk is down did not clear after the CLI fix');
    text.should.containEql('was reset and is back');
    // confirmed by a call placed once the device was back
    text.should.endWith('; a test call went through');
    requests('POST', DIAL_PATH).should.have.length(1);
    requests('POST', DIAL_PATH)[0].seq.should.be.above(requests('POST', RESET_PATH)[0].seq);
    // the report is sent once the device answers again: it carries the new status
    const status = (await fetchStatus(env.sim)).body;
    text.should.containEql(status.versionID);

    requests('PUT', CLI_PATH).should.have.length(1);
    requests('GET', `/api/v1/alarms/active/${trunk.id}`).map((e) => e.status).should.containEql(200);
    requests('POST', RESET_PATH).should.have.length(1);
    env.sim.control.state().bootCount.should.equal(bootsBefore + 1);
  });

  it('reports a failing CLI fix in the chat', async () => {
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major' });
    env.sim.control.setFaults({ haSync: true }); // uploads answer 409 while HA synchronizes
    s.nodeNamed(flow, 'active alarms').receive({});
    await s.waitFor(() => env.rx.chat.length >= 1, 'the report in the chat');
    env.rx.chat[0].body.text.should.startWith('❌ remediation of Trunk is down');
    env.rx.chat[0].body.text.should.containEql('409');
    requests('POST', RESET_PATH).should.have.length(0);
    requests('POST', DIAL_PATH).should.have.length(0);
  });
});

describe('example: 03 remediation on a device without SIP test calls (firmware 7.0)', function () {
  this.timeout(60000);
  const env = s.useSimulator({ firmware: '7.0' });

  it('reports the fix, and that the test call could not be placed', async () => {
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
    s.nodeNamed(flow, 'active alarms').receive({});
    await s.waitFor(() => env.rx.chat.length >= 1, 'the report in the chat');
    env.rx.chat[0].body.text.should.match(/^⚠️ Trunk is down on sbc cleared after the CLI fix; the test call could not be placed: dial test call failed: 404 Not Found.* — this device has no SIP test call/);
    env.rx.chat.should.have.length(1);
  });
});

/** GET /status as a plain client would, with the test credentials. */
async function fetchStatus(sim) {
  const res = await fetch(`${sim.url}/api/v1/status`, {
    headers: { authorization: 'Basic ' + Buffer.from(`${s.USER}:${s.PASSWORD}`).toString('base64') },
    signal: AbortSignal.timeout(10000),
  });
  return { statusCode: res.status, body: await res.json() };
}

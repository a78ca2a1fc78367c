'use strict';
// examples/03 remediation.json: CLI fix for "Trunk is down", check, reset with waitForRestart when the fix did not help, report.
require('should');
const s = require('./support');

const FILE = '03 remediation.json';
const CLI_PATH = '/api/v1/files/cliScript/incremental';
const RESET_PATH = '/api/v1/actions/reset';

describe('example: 03 remediation', function () {
  this.timeout(60000);
  // a boot time the reset node can see: it first looks 1 s after the reset
  // (a real device takes minutes), and only an answer after it saw the
  // device down counts as "back"
  const env = s.useSimulator({ bootTimeMs: 2500 });

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
    env.rx.chat[0].body.text.should.startWith('✅ ');
    env.rx.chat[0].body.text.should.containEql('Trunk is down');
    env.rx.chat[0].body.text.should.containEql('cleared after the CLI fix');

    // the device ran the script once, and its alarm is gone; the other alarm was left alone
    requests('PUT', CLI_PATH).should.have.length(1);
    cliRan.count.should.equal(1);
    const state = env.sim.control.state();
    state.activeAlarms.map((a) => a.description).should.eql(['High CPU utilization']);
    state.alarmEvents.filter((e) => e.event === 'cleared').map((e) => e.alarm.id).should.eql([trunk.id]);
    // checked with GET /alarms/active/<id>, which answered 404
    const check = requests('GET', `/api/v1/alarms/active/${trunk.id}`);
    check.map((e) => e.status).should.containEql(404);
    requests('POST', RESET_PATH).should.have.length(0);
    state.bootCount.should.equal(1);
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
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

'use strict';
// examples/08 fleet remediation.json: one alarms node over the group "branches" (three simulated SBCs),
// one remediation chain whose nodes take the device from msg.device: each fix, check and reset
// goes to the device that raised the alarm, and only to it.
require('should');
const s = require('./support');
const { startSim } = require('../helpers/sim');

const FILE = '08 fleet remediation.json';
const CLI_PATH = '/api/v1/files/cliScript/incremental';
const RESET_PATH = '/api/v1/actions/reset';

describe('example: 08 fleet remediation', function () {
  this.timeout(60000);
  // the example's own simulator (unused by its flow) and its receiver come from the shared hooks
  const env = s.useSimulator();
  let branches = [];

  beforeEach(async () => {
    // a boot time the reset node can see (it first looks 1 s after the reset)
    branches = [];
    for (let i = 0; i < 3; i++) branches.push(await startSim({ users: s.SIM_USERS, bootTimeMs: 2500 }));
  });
  afterEach(async () => {
    for (const b of branches) await b.close();
  });

  const fleetEnv = () => {
    const e = { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` };
    branches.forEach((b, i) => {
      e[`FLEET_HOST_${i + 1}`] = '127.0.0.1';
      e[`FLEET_PORT_${i + 1}`] = String(b.port);
    });
    return e;
  };
  const requests = (sim, method, path) => sim.control.log().filter((e) => e.method === method && e.path === path);

  it('a fixable "Trunk is down" on branch-2: the CLI fix runs on branch-2 only, and the report names it', async () => {
    const flow = await s.loadExample(FILE, env.sim, fleetEnv());
    branches[0].control.raiseAlarm({ description: 'High CPU utilization', severity: 'Minor' });
    const trunk = branches[1].control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
    s.nodeNamed(flow, 'alarms of every branch SBC').receive({});

    await s.waitFor(() => env.rx.chat.length >= 1, 'the report in the chat');
    env.rx.chat.map((r) => r.body.text).should.eql(['✅ Trunk is down on branch-2 cleared after the CLI fix']);
    requests(branches[1], 'PUT', CLI_PATH).should.have.length(1);
    requests(branches[1], 'GET', `/api/v1/alarms/active/${trunk.id}`).map((e) => e.status).should.containEql(404);
    // the expected 404 is a result: a green status under the check, no red ring
    const checkNode = s.nodeNamed(flow, 'is it still active there?');
    const shown = checkNode.status.getCalls().filter((c) => c.thisValue === checkNode).map((c) => c.args[0]);
    shown.at(-1).should.match({ fill: 'green', shape: 'dot', text: /^GET 404 Not Found · / });
    shown.filter((st) => st.fill === 'red').should.have.length(0);
    for (const i of [0, 2]) {
      requests(branches[i], 'PUT', CLI_PATH).should.be.empty();
      requests(branches[i], 'POST', RESET_PATH).should.be.empty();
    }
    branches[0].control.state().activeAlarms.map((a) => a.description).should.eql(['High CPU utilization']);
    // the example's single-device simulator is not part of the fleet
    env.sim.control.log().filter((e) => e.path.startsWith('/api')).should.be.empty();
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
  });

  it('two devices at once: the fix clears it on branch-1, branch-3 is reset; each report names its own device', async () => {
    const flow = await s.loadExample(FILE, env.sim, fleetEnv());
    const boots = branches.map((b) => b.control.state().bootCount);
    branches[0].control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1', clearedByCli: 'no shutdown' });
    // the CLI line does not clear this one
    branches[2].control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#2' });
    s.nodeNamed(flow, 'alarms of every branch SBC').receive({});

    await s.waitFor(() => env.rx.chat.length >= 2, 'both reports in the chat');
    const texts = env.rx.chat.map((r) => r.body.text);
    texts.should.containEql('✅ Trunk is down on branch-1 cleared after the CLI fix');
    const reset = texts.find((t) => t.startsWith('🔁 '));
    reset.should.startWith('🔁 Trunk is down did not clear after the CLI fix: branch-3 was reset and is back (');
    requests(branches[0], 'PUT', CLI_PATH).should.have.length(1);
    requests(branches[2], 'PUT', CLI_PATH).should.have.length(1);
    requests(branches[1], 'PUT', CLI_PATH).should.be.empty();
    requests(branches[2], 'POST', RESET_PATH).should.have.length(1);
    requests(branches[0], 'POST', RESET_PATH).should.be.empty();
    requests(branches[1], 'POST', RESET_PATH).should.be.empty();
    branches.map((b) => b.control.state().bootCount).should.eql([boots[0], boots[1], boots[2] + 1]);
  });

  it('the alarms node reports each device\'s events with its msg.device, and sums the fleet up in its status', async () => {
    const flow = await s.loadExample(FILE, env.sim, fleetEnv());
    const poll = s.nodeNamed(flow, 'alarms of every branch SBC');
    const events = s.countInputs(s.nodeNamed(flow, 'fleet events'));
    const statuses = [];
    poll.on('call:status', (c) => statuses.push(c.args[0]));
    branches.forEach((b, i) => b.control.raiseAlarm({ description: 'Proxy set is unreachable', severity: 'Major', source: `ProxySet#${i}` }));
    poll.receive({});
    await s.waitFor(() => events.count >= 3, 'three events');
    events.msgs.map((m) => m.device).sort().should.eql(['branch-1', 'branch-2', 'branch-3']);
    await s.waitFor(() => statuses.some((st) => /^3 devices · 3 active · /.test(st.text || '')), 'the fleet status');
  });
});

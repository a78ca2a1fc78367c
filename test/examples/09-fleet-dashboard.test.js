'use strict';
// examples/09 fleet dashboard.json: three polling nodes over every device (deviceFrom "all") feed a
// FlowFuse Dashboard 2.0 page: a fleet table (status, reachable, alarms by severity), the active
// alarms across the fleet, a chart of active calls per device. Here: what reaches the dashboard's
// widgets (the real ui-table and ui-chart nodes, loaded from the devDependency); the page itself,
// in chromium, is test/e2e/dashboard.test.js.
require('should');
const s = require('./support');
const { startSim } = require('../helpers/sim');

const FILE = '09 fleet dashboard.json';

describe('example: 09 fleet dashboard', function () {
  this.timeout(60000);
  // the example's own device `sbc` (firmware 7.4: KPIs) and two more that a user added beside it
  const env = s.useSimulator({ firmware: '7.4' }, { receiver: false });
  let branches = [];

  beforeEach(async () => {
    branches = [];
    for (let i = 0; i < 2; i++) branches.push(await startSim({ users: s.SIM_USERS, firmware: '7.4' }));
  });
  afterEach(async () => {
    for (const b of branches) await b.close();
  });

  /** Two more devices, in no group: "every device" takes them as it takes `sbc`. */
  const moreDevices = () =>
    branches.map((b, i) => ({ id: `da5b0a4dbeef000${i}`, type: 'mediant-device', name: `branch-${i + 1}`, host: '127.0.0.1', port: String(b.port), protocol: 'http', tls: '', timeout: 30000, version: 1 }));

  /** The messages a dashboard widget of the flow receives (the real ui-* node). */
  const widget = (flow, name) => s.countInputs(s.nodeNamed(flow, name));
  const last = (w) => w.msgs[w.msgs.length - 1];
  const rowOf = (w, device) => last(w) && last(w).payload.find((r) => r.device === device);

  it('a row per device with its status and alarms by severity, every active alarm of the fleet, a line of calls per device', async () => {
    env.sim.control.raiseAlarm({ description: 'Network interface is down', severity: 'Critical', source: 'Board#1/EthernetPort#2' });
    env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
    branches[0].control.raiseAlarm({ description: 'High CPU utilization', severity: 'Minor', source: 'Board#1' });
    env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', 10);
    env.sim.control.setKpiValue('sbc/callStats/global/activeCallsOut', 5);
    const flow = await s.loadExample(FILE, env.sim, {}, moreDevices());
    const table = widget(flow, 'fleet table');
    const alarms = widget(flow, 'active alarms');
    const chart = widget(flow, 'active calls per device');

    const devices = ['branch-1', 'branch-2', 'sbc'];
    await s.waitFor(() => last(table) && devices.every((d) => rowOf(table, d) && rowOf(table, d).product), 'a row with a status for every device');
    last(table).payload.map((r) => r.device).should.eql(devices);
    for (const d of devices) {
      const row = rowOf(table, d);
      row.should.containEql({ product: 'Mediant VE SBC', state: 'UNLOCKED', reachable: true, problem: '' });
      row.version.should.match(/^7\.40A\./);
      row.ha.should.be.a.String().and.not.be.empty();
    }
    const counts = (d) => ['critical', 'major', 'minor', 'warning'].map((k) => rowOf(table, d)[k]);
    await s.waitFor(() => counts('sbc')[0] === 1 && counts('branch-1')[2] === 1, 'the alarms counted');
    counts('sbc').should.eql([1, 1, 0, 0]);
    counts('branch-1').should.eql([0, 0, 1, 0]);
    counts('branch-2').should.eql([0, 0, 0, 0]);

    // the list: every device's alarms, the most severe first
    await s.waitFor(() => last(alarms) && last(alarms).payload.length === 3, 'three alarms in the list');
    last(alarms).payload.map((a) => `${a.severity} ${a.device} ${a.description}`).should.eql([
      'Critical sbc Network interface is down',
      'Major sbc Trunk is down',
      'Minor branch-1 High CPU utilization',
    ]);
    last(alarms).payload[0].should.have.properties({ source: 'Board#1/EthernetPort#2' });
    last(alarms).payload[0].since.should.be.a.String().and.not.be.empty();

    // the chart: one series per device (msg.topic), the calls in + out as the number
    await s.waitFor(() => devices.every((d) => chart.msgs.some((m) => m.topic === d)), 'a point of every device on the chart');
    for (const m of chart.msgs) m.payload.should.be.a.Number();
    chart.msgs.find((m) => m.topic === 'sbc').payload.should.equal(15);

    // an alarm raised on one device reaches its row and the list; its clearing removes it again
    const raised = branches[1].control.raiseAlarm({ description: 'IP Group is blocked', severity: 'Warning', source: 'IPGroup#2' });
    s.nodeNamed(flow, "every device's active alarms").receive({ device: 'branch-2' });
    await s.waitFor(() => counts('branch-2')[3] === 1, "branch-2's warning counted");
    await s.waitFor(() => last(alarms).payload.some((a) => a.device === 'branch-2' && a.description === 'IP Group is blocked'), 'the new alarm listed');
    last(alarms).payload.at(-1).device.should.equal('branch-2'); // a warning: last
    branches[1].control.clearAlarm(raised.id);
    s.nodeNamed(flow, "every device's active alarms").receive({ device: 'branch-2' });
    await s.waitFor(() => counts('branch-2')[3] === 0 && last(alarms).payload.length === 3, 'the cleared alarm gone');
  });

  it('a device that stops answering is shown unreachable with its error, the others as they are, and back when it answers', async () => {
    const flow = await s.loadExample(FILE, env.sim, {}, moreDevices());
    const table = widget(flow, 'fleet table');
    const poll = s.nodeNamed(flow, "every device's active alarms");
    await s.waitFor(() => ['branch-1', 'branch-2', 'sbc'].every((d) => rowOf(table, d) && rowOf(table, d).product), 'every device read once');

    branches[0].control.setFaults({ down: true });
    poll.receive({ device: 'branch-1' });
    await s.waitFor(() => rowOf(table, 'branch-1').reachable === false, 'branch-1 unreachable');
    rowOf(table, 'branch-1').problem.should.match(/branch-1|127\.0\.0\.1/);
    // what it was before stays on the row: an operator still sees which device it is
    rowOf(table, 'branch-1').product.should.equal('Mediant VE SBC');
    rowOf(table, 'branch-2').reachable.should.be.true();
    rowOf(table, 'sbc').reachable.should.be.true();
    JSON.stringify(last(table).payload).should.not.containEql(s.PASSWORD);

    branches[0].control.setFaults({ down: false });
    poll.receive({ device: 'branch-1' });
    await s.waitFor(() => rowOf(table, 'branch-1').reachable === true && rowOf(table, 'branch-1').problem === '', 'branch-1 back');
  });
});

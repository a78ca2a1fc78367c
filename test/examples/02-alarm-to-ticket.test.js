'use strict';
// examples/02 alarm to ticket.json: a ticket opened per raised alarm, closed when that alarm clears.
require('should');
const { startSim } = require('../helpers/sim');
const s = require('./support');

const FILE = '02 alarm to ticket.json';

describe('example: 02 alarm to ticket', function () {
  this.timeout(60000);
  let sim;
  let rx;

  before(() => s.helper.startServer());
  after(() => s.helper.stopServer());
  beforeEach(async () => {
    rx = await new s.Receiver().start();
    sim = await startSim({ users: s.SIM_USERS });
  });
  afterEach(async () => {
    await s.helper.unload();
    await sim.close();
    await rx.close();
  });

  const posts = () => rx.requests.filter((r) => r.method === 'POST' && r.path === '/tickets');
  const patches = () => rx.requests.filter((r) => r.method === 'PATCH');

  it('opens a ticket on raised and closes that same ticket on cleared, also across a device reboot', async () => {
    const flow = await s.loadExample(FILE, sim, { TICKET_API_URL: `${rx.base}/tickets` });
    const poll = s.nodeNamed(flow, 'active alarms');
    const closed = s.countInputs(s.nodeNamed(flow, 'ticket closed'));
    const unknown = s.countInputs(s.nodeNamed(flow, 'no ticket for this alarm'));

    const a = sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
    const b = sim.control.raiseAlarm({ description: 'Proxy set is unreachable', severity: 'Critical', source: 'ProxySet#1' });
    poll.receive({});
    await s.waitFor(() => posts().length >= 2, 'two tickets opened');
    const [pa, pb] = posts();
    pa.headers['content-type'].should.match(/^application\/json/);
    pa.body.title.should.equal('Major: Trunk is down');
    pa.body.severity.should.equal('Major');
    pa.body.description.should.containEql('Trunk#1');
    pb.body.title.should.equal('Critical: Proxy set is unreachable');
    pa.body.externalKey.should.not.equal(pb.body.externalKey);
    const ticketA = pa.ticket.id;
    const ticketB = pb.ticket.id;

    // A clears: exactly A's ticket is closed
    sim.control.clearAlarm(a.id).should.be.true();
    poll.receive({});
    await s.waitFor(() => patches().length >= 1, 'a ticket closed');
    patches()[0].path.should.equal(`/tickets/${ticketA}`);
    patches()[0].body.status.should.equal('closed');
    patches()[0].body.resolution.should.containEql('Trunk is down');
    rx.tickets.get(ticketA).status.should.equal('closed');
    rx.tickets.get(ticketB).status.should.equal('open');

    // the device reboots: B is gone (its ticket closes) and ids start again from 1
    sim.control.reboot();
    await sim.control.waitUntilUp();
    poll.receive({});
    await s.waitFor(() => patches().length >= 2, 'the second ticket closed after the reboot');
    patches()[1].path.should.equal(`/tickets/${ticketB}`);

    // a new alarm reusing id 1 (A's old id) gets its own ticket, and closes it
    const c = sim.control.raiseAlarm({ description: 'IP Group is blocked', severity: 'Major', source: 'IPGroup#2' });
    c.id.should.equal(a.id);
    poll.receive({});
    await s.waitFor(() => posts().length >= 3, 'a ticket for the alarm after the reboot');
    const ticketC = posts()[2].ticket.id;
    ticketC.should.not.equal(ticketA);
    sim.control.clearAlarm(c.id).should.be.true();
    poll.receive({});
    await s.waitFor(() => patches().length >= 3, 'its ticket closed');
    patches()[2].path.should.equal(`/tickets/${ticketC}`);

    await s.waitFor(() => closed.count === 3, 'three "ticket closed" messages');
    posts().length.should.equal(3);
    [...rx.tickets.values()].every((t) => t.status === 'closed').should.be.true();
    unknown.count.should.equal(0);
    // nothing left in flow context for closed tickets
    Object.keys(s.nodeNamed(flow, 'forget ticket id').context().flow.get('tickets')).should.be.empty();
    s.everythingSent(rx).should.not.containEql(s.PASSWORD);
  });

  it('reports a cleared alarm whose ticket it never opened, and sends no PATCH', async () => {
    const a = sim.control.raiseAlarm({ description: 'Trunk is down' });
    // the ticket API answers 404 (wrong URL): no ticket is created
    const loaded = await s.loadExample(FILE, sim, { TICKET_API_URL: `${rx.base}/nowhere` });
    const refused = s.countInputs(s.nodeNamed(loaded, 'ticket API refused'));
    const unknown = s.countInputs(s.nodeNamed(loaded, 'no ticket for this alarm'));
    await s.waitFor(() => refused.count === 1, 'the refused ticket');
    refused.msgs[0].statusCode.should.equal(404);

    sim.control.clearAlarm(a.id);
    s.nodeNamed(loaded, 'active alarms').receive({});
    await s.waitFor(() => unknown.count === 1, 'the cleared alarm without a ticket');
    unknown.msgs[0].text.should.containEql('Trunk is down');
    patches().length.should.equal(0);
  });
});

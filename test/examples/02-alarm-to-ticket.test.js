'use strict';
// examples/02 alarm to ticket.json: a ticket opened per raised alarm, closed when that alarm clears.
require('should');
const s = require('./support');

const FILE = '02 alarm to ticket.json';

describe('example: 02 alarm to ticket', function () {
  this.timeout(60000);
  const env = s.useSimulator();

  const posts = () => env.rx.requests.filter((r) => r.method === 'POST' && r.path === '/tickets');
  const patches = () => env.rx.requests.filter((r) => r.method === 'PATCH');

  it('opens a ticket on raised and closes that same ticket on cleared, also across a device reboot', async () => {
    const flow = await s.loadExample(FILE, env.sim, { TICKET_API_URL: `${env.rx.base}/tickets` });
    const poll = s.nodeNamed(flow, 'active alarms');
    const closed = s.countInputs(s.nodeNamed(flow, 'ticket closed'));
    const unknown = s.countInputs(s.nodeNamed(flow, 'no ticket for this alarm'));

    const a = env.sim.control.raiseAlarm({ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' });
    const b = env.sim.control.raiseAlarm({ description: 'Proxy set is unreachable', severity: 'Critical', source: 'ProxySet#1' });
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
    env.sim.control.clearAlarm(a.id).should.be.true();
    poll.receive({});
    await s.waitFor(() => patches().length >= 1, 'a ticket closed');
    patches()[0].path.should.equal(`/tickets/${ticketA}`);
    patches()[0].body.status.should.equal('closed');
    patches()[0].body.resolution.should.containEql('Trunk is down');
    env.rx.tickets.get(ticketA).status.should.equal('closed');
    env.rx.tickets.get(ticketB).status.should.equal('open');

    // the device reboots: B is gone (its ticket closes) and ids start again from 1
    env.sim.control.reboot();
    await env.sim.control.waitUntilUp();
    poll.receive({});
    await s.waitFor(() => patches().length >= 2, 'the second ticket closed after the reboot');
    patches()[1].path.should.equal(`/tickets/${ticketB}`);

    // a new alarm reusing id 1 (A's old id) gets its own ticket, and closes it
    const c = env.sim.control.raiseAlarm({ description: 'IP Group is blocked', severity: 'Major', source: 'IPGroup#2' });
    c.id.should.equal(a.id);
    poll.receive({});
    await s.waitFor(() => posts().length >= 3, 'a ticket for the alarm after the reboot');
    const ticketC = posts()[2].ticket.id;
    ticketC.should.not.equal(ticketA);
    env.sim.control.clearAlarm(c.id).should.be.true();
    poll.receive({});
    await s.waitFor(() => patches().length >= 3, 'its ticket closed');
    patches()[2].path.should.equal(`/tickets/${ticketC}`);

    await s.waitFor(() => closed.count === 3, 'three "ticket closed" messages');
    posts().length.should.equal(3);
    [...env.rx.tickets.values()].every((t) => t.status === 'closed').should.be.true();
    unknown.count.should.equal(0);
    // nothing left in flow context for closed tickets
    Object.keys(s.nodeNamed(flow, 'forget ticket id').context().flow.get('tickets')).should.be.empty();
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
  });

  it('reports a cleared alarm whose ticket it never opened, and sends no PATCH', async () => {
    const a = env.sim.control.raiseAlarm({ description: 'Trunk is down' });
    // the ticket API answers 404 (wrong URL): no ticket is created
    const loaded = await s.loadExample(FILE, env.sim, { TICKET_API_URL: `${env.rx.base}/nowhere` });
    const refused = s.countInputs(s.nodeNamed(loaded, 'ticket API refused'));
    const unknown = s.countInputs(s.nodeNamed(loaded, 'no ticket for this alarm'));
    await s.waitFor(() => refused.count === 1, 'the refused ticket');
    refused.msgs[0].statusCode.should.equal(404);

    env.sim.control.clearAlarm(a.id);
    s.nodeNamed(loaded, 'active alarms').receive({});
    await s.waitFor(() => unknown.count === 1, 'the cleared alarm without a ticket');
    unknown.msgs[0].text.should.containEql('Trunk is down');
    patches().length.should.equal(0);
  });
});

'use strict';
// examples/01 alarm to chat.json: every raised and cleared alarm posted once to the chat webhook.
require('should');
const { startSim } = require('../helpers/sim');
const s = require('./support');

const FILE = '01 alarm to chat.json';

describe('example: 01 alarm to chat', function () {
  this.timeout(60000);
  let sim;
  let rx;

  before(() => s.helper.startServer());
  after(() => s.helper.stopServer());
  beforeEach(async () => {
    rx = await new s.Receiver().start();
    sim = await startSim({
      users: s.SIM_USERS,
      initialAlarms: [{ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' }],
    });
  });
  afterEach(async () => {
    await s.helper.unload();
    await sim.close();
    await rx.close();
  });

  it('posts {text} for an alarm already there, a new one and its clearing, each once', async () => {
    const flow = await s.loadExample(FILE, sim, { CHAT_WEBHOOK_URL: `${rx.base}/chat` });
    const poll = s.nodeNamed(flow, 'active alarms');
    const answered = s.countInputs(s.nodeNamed(flow, 'chat answered'));

    // the first poll (emitExisting) reports the alarm that was already active
    await s.waitFor(() => rx.chat.length >= 1, 'the first chat message');
    rx.chat[0].headers['content-type'].should.match(/^application\/json/);
    Object.keys(rx.chat[0].body).should.eql(['text']);
    rx.chat[0].body.text.should.startWith('🔴 ');
    rx.chat[0].body.text.should.containEql('Trunk is down');
    rx.chat[0].body.text.should.containEql('Major');
    rx.chat[0].body.text.should.containEql('Trunk#1');

    const raised = sim.control.raiseAlarm({ description: 'Network interface is down', severity: 'Critical', source: 'Board#1/EthernetPort#2' });
    poll.receive({});
    await s.waitFor(() => rx.chat.length >= 2, 'the chat message of the new alarm');
    rx.chat[1].body.text.should.startWith('🔴 ');
    rx.chat[1].body.text.should.containEql('Network interface is down');
    rx.chat[1].body.text.should.containEql('Critical');

    sim.control.clearAlarm(raised.id).should.be.true();
    poll.receive({});
    await s.waitFor(() => rx.chat.length >= 3, 'the chat message of the clearing');
    rx.chat[2].body.text.should.startWith('✅ ');
    rx.chat[2].body.text.should.containEql('Network interface is down');

    // a poll with nothing new posts nothing: the next message after an idle
    // poll is the one of the next alarm (polls never overlap, so a repeat
    // from the idle poll would have come first)
    poll.receive({});
    sim.control.raiseAlarm({ description: 'High CPU utilization', severity: 'Minor' });
    poll.receive({});
    await s.waitFor(() => rx.chat.length >= 4, 'the chat message of the next alarm');
    rx.chat[3].body.text.should.containEql('High CPU utilization');
    await s.waitFor(() => answered.count === 4, 'four chat answers');
    answered.msgs.map((m) => m.statusCode).should.eql([200, 200, 200, 200]);
    s.everythingSent(rx).should.not.containEql(s.PASSWORD);
  });

  it('sends a device error to the Catch node and posts nothing', async () => {
    sim.control.setFaults({ htmlError: true });
    const flow = await s.loadExample(FILE, sim, { CHAT_WEBHOOK_URL: `${rx.base}/chat` });
    const errors = s.countInputs(s.nodeNamed(flow, 'error'));
    await s.waitFor(() => errors.count >= 1, 'an error at the catch node');
    errors.msgs[0].error.message.should.match(/500/);
    errors.msgs[0].error.message.should.not.containEql(s.PASSWORD);
    rx.chat.length.should.equal(0);
  });
});

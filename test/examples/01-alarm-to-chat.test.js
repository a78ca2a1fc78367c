'use strict';
// examples/01 alarm to chat.json: every raised and cleared alarm posted once to the chat webhook.
require('should');
const s = require('./support');

const FILE = '01 alarm to chat.json';

describe('example: 01 alarm to chat', function () {
  this.timeout(60000);
  const env = s.useSimulator({
    initialAlarms: [{ description: 'Trunk is down', severity: 'Major', source: 'Trunk#1' }],
  });

  it('posts {text} for an alarm already there, a new one and its clearing, each once', async () => {
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const poll = s.nodeNamed(flow, 'active alarms');
    const answered = s.countInputs(s.nodeNamed(flow, 'chat answered'));

    // the first poll (emitExisting) reports the alarm that was already active
    await s.waitFor(() => env.rx.chat.length >= 1, 'the first chat message');
    env.rx.chat[0].headers['content-type'].should.match(/^application\/json/);
    Object.keys(env.rx.chat[0].body).should.eql(['text']);
    env.rx.chat[0].body.text.should.startWith('🔴 ');
    env.rx.chat[0].body.text.should.containEql('Trunk is down');
    env.rx.chat[0].body.text.should.containEql('Major');
    env.rx.chat[0].body.text.should.containEql('Trunk#1');

    const raised = env.sim.control.raiseAlarm({ description: 'Network interface is down', severity: 'Critical', source: 'Board#1/EthernetPort#2' });
    poll.receive({});
    await s.waitFor(() => env.rx.chat.length >= 2, 'the chat message of the new alarm');
    env.rx.chat[1].body.text.should.startWith('🔴 ');
    env.rx.chat[1].body.text.should.containEql('Network interface is down');
    env.rx.chat[1].body.text.should.containEql('Critical');

    env.sim.control.clearAlarm(raised.id).should.be.true();
    poll.receive({});
    await s.waitFor(() => env.rx.chat.length >= 3, 'the chat message of the clearing');
    env.rx.chat[2].body.text.should.startWith('✅ ');
    env.rx.chat[2].body.text.should.containEql('Network interface is down');

    // a poll with nothing new posts nothing: the next message after an idle
    // poll is the one of the next alarm (polls never overlap, so a repeat
    // from the idle poll would have come first)
    poll.receive({});
    env.sim.control.raiseAlarm({ description: 'High CPU utilization', severity: 'Minor' });
    poll.receive({});
    await s.waitFor(() => env.rx.chat.length >= 4, 'the chat message of the next alarm');
    env.rx.chat[3].body.text.should.containEql('High CPU utilization');
    await s.waitFor(() => answered.count === 4, 'four chat answers');
    answered.msgs.map((m) => m.statusCode).should.eql([200, 200, 200, 200]);
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
  });

  it('sends a device error to the Catch node and posts nothing', async () => {
    env.sim.control.setFaults({ htmlError: true });
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const errors = s.countInputs(s.nodeNamed(flow, 'error'));
    await s.waitFor(() => errors.count >= 1, 'an error at the catch node');
    errors.msgs[0].error.message.should.match(/500/);
    errors.msgs[0].error.message.should.not.containEql(s.PASSWORD);
    env.rx.chat.length.should.equal(0);
  });
});

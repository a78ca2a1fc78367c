'use strict';
// examples/07 KPI watch.json (firmware 7.4): a KPI entity read every 10 s; one message per KPI for a
// chart, a [fields, tags] point for InfluxDB, and a chat alert when the answer seizure ratio crosses 70 %.
require('should');
const s = require('./support');

const FILE = '07 KPI watch.json';
const ASR = 'sbc/callStats/global/answerSeizureRatio';

describe('example: 07 KPI watch', function () {
  this.timeout(60000);
  const env = s.useSimulator({ firmware: '7.4' });

  it('alerts once when the ratio drops below the threshold, once when it is back, and ignores a read without it', async () => {
    env.sim.control.setKpiValue(ASR, 92);
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const read = s.nodeNamed(flow, 'SBC calls every 10 s');
    const compared = s.countInputs(s.nodeNamed(flow, 'no value / below / within'));
    const levels = s.countInputs(s.nodeNamed(flow, 'level changed?'));
    // each alert's answer from the chat, counted from the start (an answer arrives after the chat got the post)
    const posted = s.countInputs(s.nodeNamed(flow, 'alert posted'));
    // the read at deploy
    await s.waitFor(() => compared.count === 1, 'the first read compared');

    let reads = 1;
    const readNow = async (value) => {
      env.sim.control.setKpiValue(ASR, value);
      read.receive({});
      reads++;
      await s.waitFor(() => compared.count >= reads, `read ${reads} compared`);
    };

    await readNow(90); // normal: nothing to say
    await readNow(45); // below 70
    await s.waitFor(() => env.rx.chat.length === 1, 'the low alert');
    env.rx.chat[0].body.text.should.equal('⚠️ Answer seizure ratio on sbc is 45 %, below 70 %');
    await readNow(40); // still low: no second alert
    // every read so far had a value, and each reached the level check
    await s.waitFor(() => levels.count === reads, 'every read with a value at the level check');
    await readNow(null); // no value on the device: left out of the payload, no level at all
    await readNow(41);
    // the last read's message has arrived, so every earlier one has: the read without a value is not among them
    await s.waitFor(() => levels.msgs.length && levels.msgs.at(-1).value === 41, 'the last read at the level check');
    levels.count.should.equal(reads - 1);
    compared.msgs.at(-2).payload.should.not.have.property('answerSeizureRatio');
    await readNow(88);
    await s.waitFor(() => env.rx.chat.length === 2, 'the back-to-normal message');
    env.rx.chat[1].body.text.should.equal('✅ Answer seizure ratio on sbc is back at 88 % (threshold 70 %)');
    await readNow(30);
    await s.waitFor(() => posted.count >= 3, 'the next alert posted');
    env.rx.chat.length.should.equal(3);
    posted.count.should.equal(3);
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
  });

  it('feeds a chart one message per KPI (name in msg.topic) and InfluxDB a [fields, tags] point', async () => {
    env.sim.control.setKpiValue('sbc/callStats/global/activeCallsIn', 57);
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const chart = s.countInputs(s.nodeNamed(flow, 'to a chart'));
    const influx = s.countInputs(s.nodeNamed(flow, 'to InfluxDB'));
    s.nodeNamed(flow, 'SBC calls every 10 s').receive({});
    await s.waitFor(() => chart.count >= 16 && influx.count >= 1, 'one read fanned out');
    const first16 = chart.msgs.slice(0, 16);
    first16.map((m) => m.topic).should.containEql('activeCallsIn');
    first16.find((m) => m.topic === 'activeCallsIn').payload.should.equal(57);
    for (const m of first16) m.payload.should.be.a.Number();
    new Set(first16.map((m) => m.topic)).size.should.equal(16);
    const [fields, tags] = influx.msgs[0].payload;
    fields.activeCallsIn.should.equal(57);
    tags.should.eql({ device: 'sbc', application: 'sbc', group: 'callStats', entity: 'global', source: 'current' });
    influx.msgs[0].measurement.should.equal('sbc_callStats');
  });

  it('with a Monitor account, as its comment says is enough', async () => {
    // the example's credentials are the test's Security Administrator: read with a Monitor user instead
    const monitor = [{ username: s.USER, password: s.PASSWORD, privilege: 'monitor' }];
    await env.sim.close();
    env.sim = await require('../helpers/sim').startSim({ firmware: '7.4', users: monitor });
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const influx = s.countInputs(s.nodeNamed(flow, 'to InfluxDB'));
    s.nodeNamed(flow, 'SBC calls every 10 s').receive({});
    await s.waitFor(() => influx.count >= 1, 'a read as a Monitor user');
    env.sim.control.log().filter((e) => e.path.startsWith('/api/v1/kpi')).every((e) => e.status === 200).should.be.true();
  });
});

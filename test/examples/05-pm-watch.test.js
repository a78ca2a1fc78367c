'use strict';
// examples/05 PM watch.json: thresholds from the PM's discovery, a chat alert when the value crosses one.
require('should');
const s = require('./support');

const FILE = '05 PM watch.json';
const PM = 'NetUtilPackets';

describe('example: 05 PM watch', function () {
  this.timeout(60000);
  const env = s.useSimulator();

  it('alerts once when the value crosses the high threshold, once below the low one, once back within', async () => {
    env.sim.control.setPmValue(PM, 0, 5000);
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const read = s.nodeNamed(flow, 'NetUtilPackets[0] every 10 s');
    const levels = s.countInputs(s.nodeNamed(flow, 'level changed?'));
    const thresholds = s.countInputs(s.nodeNamed(flow, 'thresholds'));
    // each alert's answer from the chat, counted from the start (an answer arrives after the chat got the post)
    const posted = s.countInputs(s.nodeNamed(flow, 'alert posted'));
    await s.waitFor(() => thresholds.count === 1, 'the discovery read at deploy');
    thresholds.msgs[0].payload.should.containDeep({ lowThreshold: 100, highThreshold: 30000 });

    let reads = 0;
    const readNow = async (value) => {
      env.sim.control.setPmValue(PM, 0, value);
      read.receive({});
      reads++;
      await s.waitFor(() => levels.count >= reads, `read ${reads} compared`);
    };

    await readNow(5000); // normal at start: nothing to say
    await readNow(35000); // above 30000
    await s.waitFor(() => env.rx.chat.length === 1, 'the high alert');
    env.rx.chat[0].body.text.should.equal('⚠️ NetUtilPackets[0] on sbc is 35000, above the high threshold 30000');
    await readNow(36000); // still high: no second alert
    await readNow(50); // below 100
    await s.waitFor(() => env.rx.chat.length === 2, 'the low alert');
    env.rx.chat[1].body.text.should.equal('⚠️ NetUtilPackets[0] on sbc is 50, below the low threshold 100');
    await readNow(6000);
    await s.waitFor(() => env.rx.chat.length === 3, 'the back-to-normal message');
    env.rx.chat[2].body.text.should.equal('✅ NetUtilPackets[0] on sbc is 6000, back within 100 to 30000');
    await readNow(6100);
    // every read is compared, only the changes are posted
    await readNow(35000);
    await s.waitFor(() => posted.count >= 4, 'the next alert posted');
    env.rx.chat.length.should.equal(4);
    posted.count.should.equal(4);
    env.rx.chat[3].body.text.should.containEql('above the high threshold');
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
  });

  it('alerts at once when the value is already out of range when the flow starts', async () => {
    env.sim.control.setPmValue(PM, 0, 40000);
    const flow = await s.loadExample(FILE, env.sim, { CHAT_WEBHOOK_URL: `${env.rx.base}/chat` });
    const thresholds = s.countInputs(s.nodeNamed(flow, 'thresholds'));
    await s.waitFor(() => thresholds.count === 1, 'the discovery read at deploy');
    s.nodeNamed(flow, 'NetUtilPackets[0] every 10 s').receive({});
    await s.waitFor(() => env.rx.chat.length === 1, 'the alert');
    env.rx.chat[0].body.text.should.containEql('is 40000, above the high threshold 30000');
  });
});

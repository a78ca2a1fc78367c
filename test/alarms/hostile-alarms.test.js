'use strict';
// The alarm engine and the alarms node against the hostile device harness
// (test/helpers/hostile.js): ids answered as numbers, an id the validator
// refuses, fields of odd types ({"toString":1}), details nested too deep to
// copy, a list that never ends. Each of these once lost alarms, stopped the
// timer, stormed events or ran Node-RED out of memory (issue 9); now the
// alarms that can be read flow, the rest is reported once, and the node keeps
// polling.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const { startHostile } = require('../helpers/hostile');
const { MediantClient } = require('../../client');
const { AlarmSync } = require('../../client/alarm-sync');
const h = require('./node-harness');

const { helper } = h;
const lines = (events) => events.map((e) => `${e.event} ${e.alarm.id}`);

describe('alarms: against a hostile device', function () {
  let dev;
  let client;

  beforeEach(async function () {
    dev = await startHostile({ username: 'Admin', password: h.PASSWORD });
    client = new MediantClient(dev.clientOptions({ timeout: 5000 }));
  });

  afterEach(async function () {
    await client.destroy();
    await dev.close();
  });

  describe('the engine', function () {
    it('ids answered as numbers are the same ids as text: no storm of cleared/raised, and the stored state holds strings', async function () {
      dev.set({ numericIds: true });
      const sync = new AlarmSync(client, 'active');
      const first = await sync.poll();
      lines(first.events).should.eql(['raised 1', 'raised 2']);
      first.events.every((e) => e.alarm.id === String(e.alarm.id)).should.be.true();
      (await sync.poll()).events.should.eql([]);
      (await sync.poll()).events.should.eql([]);
      sync.state.alarms.map((a) => a.id).should.eql(['1', '2']);
      // a restart from the stored state (numbers in an old state are taken as text too)
      const stored = JSON.parse(JSON.stringify(sync.state));
      stored.alarms[0].id = 1;
      (await new AlarmSync(client, 'active', {}, stored).poll()).events.should.eql([]);
    });

    it('an id the validator refuses is skipped and reported once; the other alarms flow; nothing is requested for it', async function () {
      dev.set({ refusedId: true });
      const sync = new AlarmSync(client, 'active');
      const first = await sync.poll();
      lines(first.events).should.eql(['raised 1', 'raised 2']);
      first.problems.map((p) => p.message).should.eql(['poll active alarms failed: bad response: the device listed an alarm whose id is not an alarm id ("../actions/reset"); skipped it']);
      const second = await sync.poll();
      second.events.should.eql([]);
      second.problems.should.eql([]);
      dev.apiRequests().filter((r) => !/^\/api\/v1\/alarms\/active(\/\d+)?$/.test(r.path)).should.eql([]);
    });

    it('fields of odd types are carried as data, compared as text, and never thrown on', async function () {
      dev.set({ oddTypes: true });
      const sync = new AlarmSync(client, 'active');
      const first = await sync.poll();
      lines(first.events).should.eql(['raised 1', 'raised 2']);
      first.events[0].alarm.description.should.eql({ toString: 1, valueOf: 2 });
      first.events[0].alarm.date === null;
      first.events.every((e) => /^[0-9a-f]{32}$/.test(e.eventId)).should.be.true();
      (await sync.poll()).events.should.eql([]);
    });

    it('details nested too deep to copy: that alarm is reported once and read again until it can be; the others flow', async function () {
      dev.set({ deepJson: 100000, only: /\/alarms\/active\/2$/ });
      const sync = new AlarmSync(client, 'active');
      const first = await sync.poll();
      lines(first.events).should.eql(['raised 1']);
      first.problems.length.should.equal(1);
      first.problems[0].message.should.match(/^poll active alarms failed: bad response: alarm 2: /);
      const second = await sync.poll();
      second.events.should.eql([]);
      second.problems.should.eql([]);
      dev.reset();
      lines((await sync.poll()).events).should.eql(['raised 2']);
    });

    it('a list that never ends fails the poll with what the device did, and the state stays as it was', async function () {
      const sync = new AlarmSync(client, 'active', { maxAlarms: 500 });
      await sync.poll();
      const before = sync.state;
      dev.set({ endlessPages: true });
      const err = await sync.poll().then(
        () => should.fail('no error'),
        (e) => e,
      );
      err.code.should.equal('ERESPONSE');
      err.message.should.equal('poll active alarms failed: bad response: the device listed more than 500 alarms in one poll (limit maxAlarms); stopped there');
      sync.state.should.eql(before);
      const pages = new AlarmSync(client, 'active', { maxPages: 3 });
      (await pages.poll().then(() => 'no error', (e) => e.message)).should.match(/more than 3 pages of alarms/);
    });
  });

  describe('the node', function () {
    before(h.startServer);
    after(h.stopServer);
    afterEach(() => helper.unload());

    const flowFor = (props) => h.flowFor({ port: dev.port }, props);

    function caughtAt() {
      const got = [];
      helper.getNode('caught').on('input', (m) => got.push(m));
      return got;
    }

    it('odd field types: events are sent with safe text, the timer goes on polling, nothing reaches Catch', async function () {
      dev.set({ oddTypes: true });
      await h.load(flowFor({ pollInterval: 1 }));
      const out = [];
      helper.getNode('out').on('input', (m) => out.push(m));
      const caught = caughtAt();
      const lists = () => dev.apiRequests().filter((r) => r.path === '/api/v1/alarms/active').length;
      for (let i = 0; i < 200 && (out.length < 2 || lists() < 3); i++) await new Promise((r) => setTimeout(r, 50));
      out.map((m) => m.event).should.eql(['raised', 'raised']);
      out[0].topic.should.equal('42: {"toString":1,"valueOf":2}');
      out[0].text.should.match(/^\[42\] \{"toString":1,"valueOf":2\} — \["Board#1"\] on lab-sbc, raised $/);
      lists().should.be.aboveOrEqual(3);
      caught.should.eql([]);
    });

    it('msg.alarmId on an alarm with odd fields sends it, with safe text', async function () {
      dev.set({ oddTypes: true });
      await h.load(flowFor({}));
      const [m] = await h.pollOnce({ alarmId: '1' });
      m.event.should.equal('get');
      m.payload.id.should.equal('1');
      m.topic.should.equal('42: {"toString":1,"valueOf":2}');
    });

    it('a refused id reaches Catch once; the other alarms are sent', async function () {
      dev.set({ refusedId: true });
      await h.load(flowFor({}));
      const caught = caughtAt();
      (await h.pollOnce()).map((m) => `${m.event} ${m.payload.id}`).should.eql(['raised 1', 'raised 2']);
      (await h.pollOnce()).should.eql([]);
      await h.settle();
      caught.length.should.equal(1);
      caught[0].error.message.should.match(/not an alarm id \("\.\.\/actions\/reset"\); skipped it$/);
      caught[0].device.should.equal('lab-sbc');
    });

    it('a list that never ends: the poll fails with a plain message at Catch, and the node polls again afterwards', async function () {
      dev.set({ endlessPages: true });
      await h.load(flowFor({ maxAlarms: 300 }));
      const err = await h.pollOnce().then(
        () => should.fail('no error'),
        (e) => e,
      );
      err.msg.error.message.should.match(/listed more than 300 alarms in one poll/);
      dev.reset();
      (await h.pollOnce()).map((m) => m.event).should.eql(['raised', 'raised']);
    });

    /** Waits for a condition on what helper nodes received (the guard only fails a broken node instead of hanging). */
    async function until(cond, what) {
      for (let i = 0; !cond(); i++) {
        if (i > 2000) throw new Error(`never got ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const tooDeep = () => {
      let deep = {};
      for (let i = 0; i < 200000; i++) deep = { d: deep };
      return deep;
    };

    // Node-RED copies a message for a Catch node (done(err), node.error) and for a Complete
    // node (done()): a message it cannot copy threw out of those calls, out of the node's
    // promise chain, and Node-RED exited (--unhandled-rejections=strict), or the message
    // reached neither Catch nor Complete. Found by the fault campaign.
    it('a message Node-RED cannot copy, with msg.alarmId: the alarm is sent, the error reaches Catch once, and the node keeps working', async function () {
      await h.load(flowFor({}));
      const out = [];
      helper.getNode('out').on('input', (m) => out.push(m));
      const caught = caughtAt();
      helper.getNode('poll1').receive({ topic: 'deep', alarmId: '1', deep: tooDeep() });
      await until(() => caught.length > 0, 'an error at Catch');
      out.map((m) => `${m.event} ${m.payload.id}`).should.eql(['get 1']);
      caught[0].error.message.should.match(/RangeError: Maximum call stack size exceeded/);
      caught[0]._msgid.should.equal(out[0]._msgid); // the same message, its topic now the alarm's
      caught[0].topic.should.equal('major: Trunk is down');
      caught[0].device.should.equal('lab-sbc');
      const [again] = await h.pollOnce({ alarmId: '2' });
      again.payload.id.should.equal('2');
      caught.length.should.equal(1);
    });

    it('a message Node-RED cannot copy, polling: every event is sent, the error reaches Catch once, and the node keeps working', async function () {
      await h.load(flowFor({}));
      const out = [];
      helper.getNode('out').on('input', (m) => out.push(m));
      const caught = caughtAt();
      const msg = { topic: 'getter' };
      Object.defineProperty(msg, 'x', { enumerable: true, get: () => { throw new Error('no reading this'); } });
      helper.getNode('poll1').receive(msg);
      await until(() => caught.length > 0 && out.length >= 2, 'the events and an error at Catch');
      out.map((m) => `${m.event} ${m.payload.id}`).should.eql(['raised 1', 'raised 2']);
      caught[0].error.message.should.match(/no reading this/);
      caught[0].topic.should.equal('getter');
      dev.setAlarms('active', [{ id: '3', description: 'Third', severity: 'minor', source: 'Board#1', date: '2024-01-01T11:00:00Z' }]);
      (await h.pollOnce()).map((m) => `${m.event} ${m.payload.id}`).should.eql(['cleared 1', 'cleared 2', 'raised 3']);
      caught.length.should.equal(1);
    });

    it('a message whose own hasOwnProperty is no function: a failed poll or read still reaches Catch', async function () {
      await h.load(flowFor({}));
      const caught = caughtAt();
      helper.getNode('poll1').receive({ topic: 'own', alarmId: '99', hasOwnProperty: 1 });
      await until(() => caught.length > 0, 'the read\'s error at Catch');
      caught[0].error.message.should.match(/404/);
      caught[0].topic.should.equal('own');
      dev.set({ status: 500 });
      helper.getNode('poll1').receive({ topic: 'own2', hasOwnProperty: 1 });
      await until(() => caught.length > 1, 'the poll\'s error at Catch');
      caught[1].error.message.should.match(/500/);
      caught[1].topic.should.equal('own2');
      dev.reset();
      (await h.pollOnce()).map((m) => m.event).should.eql(['raised', 'raised']);
    });

    it('alarm descriptions that quote the credentials: msg.topic and msg.text come without them, on polls and msg.alarmId (found by the fault campaign)', async function () {
      dev.set({ echoInBody: true });
      await h.load(flowFor({}));
      const polled = await h.pollOnce();
      polled.map((m) => m.event).should.eql(['raised', 'raised']);
      const [got] = await h.pollOnce({ alarmId: '1' });
      for (const m of [...polled, got]) {
        // The payload is the alarm as the device sent it; what the node writes itself is redacted.
        m.payload.description.should.containEql(h.PASSWORD);
        const written = JSON.stringify([m.topic, m.text]);
        written.should.not.containEql(h.PASSWORD);
        written.should.not.containEql('Basic ');
        written.should.not.containEql(Buffer.from(`Admin:${h.PASSWORD}`).toString('base64'));
      }
    });

    it('numeric ids across a restart of Node-RED with a persistent store: nothing is reported again', async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-ctx-'));
      try {
        dev.set({ numericIds: true });
        await h.load(flowFor({}), dir);
        (await h.pollOnce()).length.should.equal(2);
        (await h.pollOnce()).should.eql([]);
        await h.restart();
        (await h.pollOnce()).should.eql([]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

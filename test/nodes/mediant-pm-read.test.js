'use strict';
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');

const { hasFeature } = require('../helpers/sim');

const pmNode = require('../../nodes/mediant-pm-read.js');

function node(props = {}) {
  return { id: 'n1', type: 'mediant-pm-read', name: '', pm: '', index: '', interval: '0', pollInterval: 0, ...props };
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next `count` messages arriving at helper node `id`. */
function collect(id, count, ms = 30000) {
  const seen = [];
  const n = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      n.removeListener('input', on);
      reject(new Error(`only ${seen.length} of ${count} messages at ${id} within ${ms} ms`));
    }, ms);
    function on(msg) {
      seen.push(msg);
      if (seen.length === count) {
        clearTimeout(timer);
        n.removeListener('input', on);
        resolve(seen);
      }
    }
    n.on('input', on);
  });
}

// firmware 7.4 has no /performanceMonitoring: test/nodes/firmware.test.js checks what the node says there
(hasFeature('performanceMonitoring') ? describe : describe.skip)('mediant-pm-read node', function () {
  const env = useSimulator();

  it('with no PM lists the PM names, keeping the msg\'s other properties', async function () {
    await load([pmNode], flowFor(env.sim, [node()]));
    const r = await send('n1', { topic: 'names', keep: 'yes' });
    should(r.out.statusCode).equal(200);
    should(r.out.payload.items).containEql('NetUtilKBytes');
    should(r.out.topic).equal('names');
    should(r.out.keep).equal('yes');
    should(r.out.device).equal(`127.0.0.1:${env.sim.port}`);
    should(apiLog(env.sim).map((e) => `${e.method} ${e.path}`)).eql(['GET /api/v1/performanceMonitoring']);
  });

  it('with a PM and no index sends the discovery answer', async function () {
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NetUtilKBytes' })]));
    const r = await send('n1', {});
    should(r.out.payload).containDeep({ indexes: [0, 1], intervalsPerIndex: [0, 1, 2] });
    should(apiLog(env.sim).map((e) => e.path)).eql(['/api/v1/performanceMonitoring/NetUtilKBytes']);
  });

  it('with a PM and an index sends that index\'s value', async function () {
    env.sim.control.setPmValue('NetUtilKBytes', 1, 4321);
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NetUtilKBytes', index: '1' })]));
    const r = await send('n1', {});
    should(r.out.payload).containDeep({ index: 1, interval: 0, value: 4321 });
    should(apiLog(env.sim).map((e) => e.path)).eql(['/api/v1/performanceMonitoring/NetUtilKBytes?index=1&interval=0']);
  });

  it('with index "all" sends one value per discovered index', async function () {
    env.sim.control.setPmValue('IPGroupActiveCalls', 0, 10);
    env.sim.control.setPmValue('IPGroupActiveCalls', 1, 11);
    env.sim.control.setPmValue('IPGroupActiveCalls', 2, 12);
    await load([pmNode], flowFor(env.sim, [node({ pm: 'IPGroupActiveCalls', index: 'all' })]));
    const r = await send('n1', {});
    should(r.out.statusCode).equal(200);
    should(r.out.payload).be.an.Array();
    should(r.out.payload.map((v) => [v.index, v.value])).eql([
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    should(apiLog(env.sim).map((e) => e.path)).eql([
      '/api/v1/performanceMonitoring/IPGroupActiveCalls',
      '/api/v1/performanceMonitoring/IPGroupActiveCalls?index=0&interval=0',
      '/api/v1/performanceMonitoring/IPGroupActiveCalls?index=1&interval=0',
      '/api/v1/performanceMonitoring/IPGroupActiveCalls?index=2&interval=0',
    ]);
  });

  it('takes msg.pm, msg.index and msg.interval over its properties', async function () {
    env.sim.control.setPmValue('CpuUtilization', 0, 55);
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NetUtilKBytes', index: '1', interval: '0' })]));
    let r = await send('n1', { pm: 'CpuUtilization', index: 0 });
    should(r.out.payload).containDeep({ index: 0, interval: 0, value: 55 });
    r = await send('n1', { interval: 2 });
    should(r.out.payload).containDeep({ index: 1, interval: 2 });
    r = await send('n1', { index: '' });
    should(r.out.payload).containDeep({ indexes: [0, 1] });
    r = await send('n1', { index: 'all', interval: '1' });
    should(r.out.payload.map((v) => v.interval)).eql([1, 1]);
    r = await send('n1', { pm: '' });
    should(r.out.payload.items).be.an.Array();
    should(apiLog(env.sim).map((e) => e.path)).eql([
      '/api/v1/performanceMonitoring/CpuUtilization?index=0&interval=0',
      '/api/v1/performanceMonitoring/NetUtilKBytes?index=1&interval=2',
      '/api/v1/performanceMonitoring/NetUtilKBytes',
      '/api/v1/performanceMonitoring/NetUtilKBytes',
      '/api/v1/performanceMonitoring/NetUtilKBytes?index=0&interval=1',
      '/api/v1/performanceMonitoring/NetUtilKBytes?index=1&interval=1',
      '/api/v1/performanceMonitoring',
    ]);
  });

  it('refuses a bad msg.pm, msg.index or msg.interval, naming it, and sends nothing', async function () {
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NetUtilKBytes', index: '0' })]));
    const cases = [
      [{ pm: '../alarms/active' }, /^msg\.pm must be a PM name of letters, digits and _/],
      [{ pm: 'Net Util' }, /^msg\.pm must be/],
      [{ pm: 7 }, /^msg\.pm must be .*, got 7$/],
      [{ index: -1 }, /^msg\.index must be an integer >= 0, "all", or "" for discovery, got -1$/],
      [{ index: 1.5 }, /^msg\.index must be/],
      [{ index: '0&interval=9' }, /^msg\.index must be/],
      [{ index: 'ALL' }, /^msg\.index must be/],
      [{ interval: 3 }, /^msg\.interval must be an integer from 0 to 2, got 3$/],
      [{ interval: 'now' }, /^msg\.interval must be an integer from 0 to 2, got "now"$/],
    ];
    for (const [msg, expected] of cases) {
      const r = await send('n1', msg);
      should(r.out).be.undefined();
      should(r.caught.error.message).match(expected);
    }
    should(apiLog(env.sim)).have.length(0);
  });

  it('an index the PM does not have reaches the Catch node as the device\'s 400', async function () {
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NetUtilPackets' })]));
    const status = recordStatus('n1');
    const r = await send('n1', { index: 100, topic: 'bad index' });
    should(r.out).be.undefined();
    should(r.caught.statusCode).equal(400);
    should(r.caught.topic).equal('bad index');
    should(r.caught.error.message).equal('read PM failed: 400 Bad Request: Invalid index');
    await new Promise((resolve) => setImmediate(resolve));
    should(status.at(-1).fill).equal('red');
    should(status.at(-1).text).startWith('400 Bad Request');
  });

  it('an unknown PM reaches the Catch node as the device\'s 404', async function () {
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NoSuchPm' })]));
    const r = await send('n1', {});
    should(r.caught.statusCode).equal(404);
    should(r.caught.error.message).equal('read PM failed: 404 Not Found: PM not found');
  });

  it('reads on its own timer, each read a fresh msg with the PM as topic, never two at once', async function () {
    this.timeout(60000);
    env.sim.control.setPmValue('NetUtilKBytes', 0, 777);
    // Each read takes longer than the poll interval: a setInterval would pile reads up.
    env.sim.control.setFaults({ slowMs: 1200 });
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NetUtilKBytes', index: '0', pollInterval: 1 })]));
    const client = helper.getNode('dev1').client;
    const real = client.getPmValue.bind(client);
    let running = 0;
    let most = 0;
    client.getPmValue = async (...args) => {
      running++;
      most = Math.max(most, running);
      try {
        return await real(...args);
      } finally {
        running--;
      }
    };
    const msgs = await collect('out', 3);
    for (const m of msgs) {
      should(m.topic).equal('NetUtilKBytes');
      should(m.payload).containDeep({ index: 0, value: 777 });
      should(m.statusCode).equal(200);
    }
    should(new Set(msgs.map((m) => m._msgid)).size).equal(3);
    should(most).equal(1);
  });

  it('stops reading when the flow is unloaded', async function () {
    this.timeout(60000);
    await load([pmNode], flowFor(env.sim, [node({ pm: 'CpuUtilization', index: '0', pollInterval: 1 })]));
    await collect('out', 2);
    await helper.unload();
    const atUnload = apiLog(env.sim).length;
    should(atUnload).be.aboveOrEqual(2);
    await wait(2500);
    should(apiLog(env.sim).length).equal(atUnload);
  });

  it('sends errors of timer reads to the Catch node, and keeps polling', async function () {
    this.timeout(60000);
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NoSuchPm', pollInterval: 1 })]));
    const caught = await collect('caught', 2);
    for (const m of caught) {
      should(m.topic).equal('NoSuchPm');
      should(m.statusCode).equal(404);
      should(m.error.message).equal('read PM failed: 404 Not Found: PM not found');
    }
  });

  it('with pollInterval 0 reads only when a message arrives', async function () {
    await load([pmNode], flowFor(env.sim, [node({ pm: 'CpuUtilization', index: '0' })]));
    await wait(1500);
    should(apiLog(env.sim)).have.length(0);
    await send('n1', {});
    should(apiLog(env.sim)).have.length(1);
  });

  /** Every status node `id` has shown since it was made (the test helper spies on every node's status). */
  function statusesOf(id) {
    const n = helper.getNode(id);
    return Object.getPrototypeOf(n).status.getCalls().filter((c) => c.thisValue === n).map((c) => c.args[0]);
  }

  for (const bad of ['-5', '0.5', 'abc', 0.001, -1, '1e3', 2147484]) {
    it(`refuses pollInterval ${JSON.stringify(bad)} with a red status and a log line, and keeps the timer off`, async function () {
      await load([pmNode], flowFor(env.sim, [node({ pm: 'CpuUtilization', index: '0', pollInterval: bad })]));
      should(statusesOf('n1')).containEql({ fill: 'red', shape: 'ring', text: 'bad pollInterval: timer off (see the log)' });
      const line = logLines().find((l) => l.level === helper.log().ERROR && l.id === 'n1');
      should(line).be.ok();
      should(line.msg).equal(`property pollInterval must be 0 (no timer) or a whole number of seconds from 1 to 2147483, got ${JSON.stringify(bad)}`);
      if (bad === 0.001) {
        // the first timer read would come 100 ms after the start
        await wait(1500);
        should(apiLog(env.sim)).have.length(0);
      }
      // it still reads on input
      const r = await send('n1', {});
      should(r.out.statusCode).equal(200);
    });
  }

  it('never shows the password or the Basic auth header in msgs, statuses or the log', async function () {
    await load([pmNode], flowFor(env.sim, [node({ pm: 'NetUtilKBytes', index: 'all' })]));
    const status = recordStatus('n1');
    const ok = await send('n1', {});
    const bad = await send('n1', { index: 99 });
    const refused = await send('n1', { interval: 9 });
    await new Promise((resolve) => setImmediate(resolve));
    should(ok.out).be.ok();
    should(bad.caught).be.ok();
    assertNoSecret([ok, bad, refused, status, logLines()]);
  });
});

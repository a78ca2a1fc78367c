'use strict';
// The short run of the fault campaign (test/campaign/soak.js; the long one is
// `npm run soak`): this working tree's nodes in a real Node-RED run with
// --unhandled-rejections=strict, random messages to every node type while
// two simulators and the hostile device go through every fault, each episode
// a few operations long so that every one comes up. Node-RED must never exit,
// every operation must end in an output message or at a Catch node (an alarm
// poll with nothing new: Complete), no credential may appear anywhere, and
// once the devices behave, the alarms nodes' events must match each
// simulator's own record: nothing lost, nothing repeated. SOAK_SEED=N replays
// a run (its seed is printed either way).
const assert = require('node:assert');
const { soak, summary, SIM_EPISODES, HOSTILE_EPISODES } = require('./soak');
const { HOSTILE_KINDS, WHOLE_KINDS } = require('./soak-values');
const { NODE_TYPES } = require('../e2e/lib/runtime');
const { cleanupAll } = require('../e2e/lib/procs');
const { available } = require('../helpers/redis');

const SEED = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : 9;

describe('fault campaign, short (npm run soak runs the long one)', function () {
  this.timeout(900000);
  let r;

  before(async function () {
    if (!available()) throw new Error('redis-server is not installed (apt-get install redis-server)');
    r = await soak({ ops: 450, seed: SEED, linked: true, episodeOps: [3, 9], concurrency: 6 });
    console.log(summary(r).replace(/^/gm, '      '));
  });
  after(async function () {
    await cleanupAll();
  });

  it('keeps Node-RED up, ends every operation with a message or a Catch, leaks no credential, loses and repeats no alarm', function () {
    assert.deepStrictEqual(r.failures, [], `seed ${r.seed}`);
    assert.strictEqual(r.exited, null);
    assert.strictEqual(r.unfinished, 0);
    assert.ok(r.operations >= 450, `only ${r.operations} operations`);
  });

  it('sent messages to every node type and pressed Test connection', function () {
    for (const type of NODE_TYPES) {
      if (type === 'mediant-device') assert.ok(r.coverage.testConnection > 0, 'no Test connection');
      else if (type === 'mediant-cluster') assert.ok(r.alarms.sim72.events > 0, 'the clustered alarms node delivered nothing');
      else assert.ok(r.perType[type] && r.perType[type].operations > 0, `no operation on ${type}`);
    }
  });

  it('went through every fault of the simulators and the hostile device, and every kind of hostile value', function () {
    for (const e of [...SIM_EPISODES, 'redisPaused']) assert.ok(r.coverage.simEpisodes[e] > 0, `no ${e} episode`);
    for (const [label] of HOSTILE_EPISODES) assert.ok(r.coverage.hostileEpisodes[label] > 0, `no hostile "${label}" episode`);
    for (const k of HOSTILE_KINDS) assert.ok(r.coverage.hostileKinds[k] > 0, `no ${k} value`);
    for (const k of WHOLE_KINDS) assert.ok(r.coverage.wholeKinds[k] > 0, `no ${k} message`);
    for (const k of ['fifo', 'dir', 'socket', 'missing', 'devZero', 'empty']) assert.ok(r.coverage.fileKinds[k] > 0, `no ${k} as msg.filename`);
  });
});

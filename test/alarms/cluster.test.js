'use strict';
// Coordination of replicas through a real redis-server (Debian's), started on
// a free loopback port: one holder per device polls and sends, a standby takes
// over when it dies and reads the stored state first, a paused holder cannot
// overwrite the new holder's state, no instance polls while Redis is away; and
// the node shows whether it holds the device. Without a cluster node the Redis
// client is never loaded.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const should = require('should');
const { startSim } = require('../helpers/sim');
const { startRedis, available } = require('../helpers/redis');
const { MediantClient } = require('../../client');
const { AlarmWatch } = require('../../client/alarm-watch');
const { RedisCoordinator } = require('../../client/coordination');

const LEASE_MS = 900;

function clientFor(sim) {
  return new MediantClient({ host: sim.host, port: sim.port, protocol: 'http', username: 'Admin', password: 'Admin', timeout: 5000 });
}

const until = async (what, test, ms = 15000) => {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** One replica: its own coordinator (its own owner id) and a watch polling every `pollMs`. */
function replica(name, redis, client, { key = 'node1:lab', pollMs = 150, wrapStore } = {}) {
  const coordinator = new RedisCoordinator({ host: redis.host, port: redis.port, leaseMs: LEASE_MS, owner: `${name}/1/x`, timeoutMs: 1000 });
  const unit = coordinator.unit(key);
  const r = { name, coordinator, unit, delivered: [], reports: [], phases: [] };
  r.watch = new AlarmWatch({
    api: client,
    alarmType: 'active',
    target: 'lab:443',
    store: wrapStore ? wrapStore(unit.store) : unit.store,
    lease: unit.lease,
    pollMs,
    firstPollMs: 10,
    hooks: {
      async deliver(batch) {
        for (const e of batch.events) r.delivered.push(e);
        await new Promise((res) => setImmediate(res));
      },
      settle() {},
      status(s) {
        r.phases.push(s.phase);
        r.last = s;
      },
      report(err) {
        r.reports.push(err.message);
      },
      notice() {},
    },
  });
  r.watch.start();
  /** A crash: the process is gone, its lease is not given back. */
  r.crash = async () => {
    await r.coordinator.close();
    await r.watch.stop();
  };
  r.stop = async () => {
    await r.watch.stop();
    await r.coordinator.close();
  };
  return r;
}

const ids = (rs) => rs.flatMap((r) => r.delivered.map((e) => `${e.event} ${e.alarm.id}`));

describe('alarms: replicas coordinated through Redis', function () {
  this.timeout(60000);
  let sim;
  let client;
  let redis;
  const running = [];

  before(function () {
    if (!available()) throw new Error('redis-server is not installed (apt-get install redis-server)');
  });

  beforeEach(async function () {
    sim = await startSim({ bootTimeMs: 20 });
    client = clientFor(sim);
    redis = await startRedis();
  });

  afterEach(async function () {
    for (const r of running.splice(0)) await r.stop().catch(() => undefined);
    await client.destroy();
    await sim.close();
    await redis.close();
  });

  it('one replica polls and sends, the other stands by; each event is sent once', async function () {
    const c = sim.control;
    c.raiseAlarm({ description: 'A' });
    const a = replica('a', redis, client);
    const b = replica('b', redis, client);
    running.push(a, b);
    await until('one holder', () => [a, b].some((r) => r.last?.phase === 'ok') && [a, b].some((r) => r.last?.phase === 'standby'));
    c.raiseAlarm({ description: 'B' });
    c.clearAlarm('1');
    await until('the changes', () => ids([a, b]).length === 3);
    await new Promise((r) => setTimeout(r, 500)); // several more polls
    ids([a, b]).sort().should.eql(['cleared 1', 'raised 1', 'raised 2']);
    const standby = [a, b].find((r) => r.last.phase === 'standby');
    standby.delivered.should.eql([]);
    standby.last.holder.should.match(/^[ab]\/1$/);
  });

  it('when the holder dies, the standby takes over within the lease time, from the stored state: nothing lost, nothing repeated', async function () {
    const c = sim.control;
    c.raiseAlarm({ description: 'A' });
    const a = replica('a', redis, client);
    running.push(a);
    await until('a polls', () => a.delivered.length === 1);
    const b = replica('b', redis, client);
    running.push(b);
    await until('b stands by', () => b.last?.phase === 'standby');

    await a.crash();
    c.raiseAlarm({ description: 'B' });
    c.clearAlarm('1');
    await until('b takes over', () => b.delivered.length === 2);
    ids([a, b]).sort().should.eql(['cleared 1', 'raised 1', 'raised 2']);
    b.delivered.every((e) => e.alarm.id !== '1' || e.event === 'cleared').should.be.true();
  });

  it('a holder paused past its lease cannot store over the new holder, and sends nothing', async function () {
    const c = sim.control;
    let steal;
    const a = replica('a', redis, client, {
      pollMs: 60000,
      // Between A's poll and its store, another replica takes the device (A was paused).
      wrapStore: (store) => ({
        load: () => store.load(),
        async save(v) {
          if (steal) {
            const s = steal;
            steal = undefined;
            await s();
          }
          return store.save(v);
        },
      }),
    });
    running.push(a);
    await until('a holds', () => a.last?.phase === 'ok');
    c.raiseAlarm({ description: 'Raised while A was paused' });
    let b;
    steal = async () => {
      await redis.stop(); // the simplest way to make the lease lapse at once: a fresh Redis...
      await redis.start(); // ...has no lease key (and no state: B starts afresh)
      await until('a reconnects', () => a.coordinator.connected);
      b = replica('b', redis, client, { pollMs: 60000 });
      running.push(b);
      await until('b holds', () => b.last?.phase === 'ok');
    };
    a.watch.request({});
    await until('b sent the alarm', () => b && b.delivered.length === 1);
    await until('a stood down', () => a.last?.phase === 'standby' || a.last?.phase === 'error');
    a.delivered.should.eql([]);
    b.delivered.map((e) => e.alarm.description).should.eql(['Raised while A was paused']);
  });

  it('the fenced write is refused once another instance took the lease', async function () {
    const one = new RedisCoordinator({ host: redis.host, port: redis.port, leaseMs: 500, owner: 'one/1/x' });
    const two = new RedisCoordinator({ host: redis.host, port: redis.port, leaseMs: 500, owner: 'two/1/x' });
    try {
      const u1 = one.unit('k');
      const u2 = two.unit('k');
      (await u1.lease.hold()).should.be.true();
      (await u2.lease.hold()).should.be.false();
      u2.lease.holder.should.equal('one/1');
      await u1.store.save({ by: 'one' });
      // one is paused: its lease lapses, two takes it with a larger token
      u1.lease.keepAlive = () => undefined;
      u1.lease.timer && clearTimeout(u1.lease.timer);
      await new Promise((r) => setTimeout(r, 700));
      (await u2.lease.hold()).should.be.true();
      u2.lease.token.should.be.above(u1.lease.token);
      await u2.store.save({ by: 'two' });
      const err = await u1.store.save({ by: 'one, late' }).then(
        () => should.fail('accepted'),
        (e) => e,
      );
      err.code.should.equal('EBUSY');
      (await u2.store.load()).should.eql({ by: 'two' });
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('while Redis is away nobody polls; the error is reported once; it resumes by itself', async function () {
    const c = sim.control;
    const a = replica('a', redis, client);
    running.push(a);
    await until('a polls', () => a.last?.phase === 'ok');
    await redis.stop();
    c.raiseAlarm({ description: 'During the Redis outage' });
    await until('the error', () => a.reports.length >= 1);
    await new Promise((r) => setTimeout(r, 600));
    a.reports.length.should.equal(1);
    a.reports[0].should.match(/Redis at 127\.0\.0\.1:\d+/);
    a.delivered.should.eql([]);
    await redis.start();
    await until('resumed', () => a.delivered.length === 1);
    a.delivered[0].alarm.description.should.equal('During the Redis outage');
  });

  describe('through the node', function () {
    const h = require('./node-harness');
    const clusterNode = require('../../nodes/mediant-cluster.js');

    before(h.startServer);
    after(h.stopServer);
    afterEach(() => h.helper.unload());

    function clusterFlow() {
      const flow = h.flowFor(sim, { cluster: 'redis1' });
      flow.push({ id: 'redis1', type: 'mediant-cluster', name: '', host: '127.0.0.1', port: String(redis.port), tls: '', prefix: 'test:', leaseSeconds: 3 });
      return flow;
    }

    async function loadWithCluster() {
      h.helper.settings({});
      await h.helper.load([...h.MODULES, clusterNode], [], h.CREDENTIALS);
      await h.helper.setFlows(clusterFlow(), 'full', h.CREDENTIALS);
    }

    it('the holder polls, says so in its status, and sends events with their ids', async function () {
      const restarted = await startSim({ users: h.SIM_USERS, bootTimeMs: 20 });
      await sim.close();
      sim = restarted;
      sim.control.raiseAlarm({ description: 'Trunk is down' });
      await loadWithCluster();
      const seen = [];
      h.helper.getNode('poll1').on('call:status', (c) => seen.push((c.args[0] || {}).text));
      const [m] = await h.pollOnce();
      m.event.should.equal('raised');
      m.eventId.should.match(/^[0-9a-f]{32}$/);
      await until('the status', () => seen.some((t) => /^polling · 1 active · \d\d:\d\d:\d\d$/.test(t || '')));
    });

    it('a replica that does not hold the device shows standby and sends nothing', async function () {
      const restarted = await startSim({ users: h.SIM_USERS, bootTimeMs: 20 });
      await sim.close();
      sim = restarted;
      sim.control.raiseAlarm({ description: 'Trunk is down' });
      const other = new RedisCoordinator({ host: redis.host, port: redis.port, leaseMs: 3000, prefix: 'test:', owner: 'other-host/42/x' });
      try {
        const unit = other.unit(`poll1:127.0.0.1:${sim.port}`);
        (await unit.lease.hold()).should.be.true();
        await loadWithCluster();
        const seen = [];
        h.helper.getNode('poll1').on('call:status', (c) => seen.push((c.args[0] || {}).text));
        (await h.pollOnce()).should.eql([]);
        await until('standby', () => seen.includes('standby · other-host/42 polls'));
        await unit.lease.release();
        const [m] = await h.pollOnce();
        m.event.should.equal('raised');
      } finally {
        await other.close();
      }
    });
  });

  it('without a mediant-cluster node, the Redis client is never loaded', function () {
    const root = path.join(__dirname, '..', '..');
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(path.join(root, 'client'))});
         require(${JSON.stringify(path.join(root, 'nodes', 'mediant-alarms-poll.js'))});
         require(${JSON.stringify(path.join(root, 'nodes', 'mediant-cluster.js'))});
         process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('ioredis'))));`,
      ],
      { encoding: 'utf8' },
    );
    out.should.equal('false');
  });
});

'use strict';
/**
 * 7. Replicas (issue 13): two Node-RED processes (bench/replica.js) running the
 * same alarms node with a mediant-cluster node against one redis-server
 * (Debian's, on a free loopback port) and one simulator.
 * - Redis round trips per poll: the scripts run (INFO commandstats, EVALSHA +
 *   EVAL) over a window of idle polls, divided by the polls the simulator saw
 *   (its list requests); the holder's renewals and the standby's attempts both
 *   count. (An idle poll stores nothing.)
 * - Failover time: an alarm is raised and the holder killed (SIGKILL) at the
 *   same moment; the time until the other replica sends its `raised` event.
 *   Goal: within one poll interval plus the lease time. A fresh replica is
 *   started after each kill, so there are always two.
 */
const path = require('node:path');
const { row } = require('../lib/context');
const { sleep, round } = require('../lib/measure');
const { spawnChild } = require('../lib/ipc');
const { startRedis } = require('../../test/helpers/redis');

const BENCH = path.join(__dirname, '..');

/** Round trips our replicas made: scripts run (EVALSHA/EVAL) and top-level GETs (state loads; GETs inside scripts are counted by Redis too, so scripts' inner calls are taken off). */
async function redisRoundTrips(port) {
  const Redis = require('ioredis');
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await r.connect();
  const text = await r.info('commandstats');
  await r.quit();
  const calls = (name) => Number((new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(text) || [])[1] || 0);
  return calls('evalsha') + calls('eval');
}

async function run(ctx) {
  const pollInterval = 1;
  const leaseSeconds = ctx.quick ? 3 : 15;
  const kills = ctx.quick ? 3 : 8;
  const windowS = ctx.quick ? 10 : 30;
  const { startSimulator } = require('../../simulator');
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', bootTimeMs: 500 });
  const redis = await startRedis();
  const replicas = new Set();
  const start = async () => {
    const c = spawnChild(path.join(BENCH, 'replica.js'), { name: 'replica', env: { BENCH_MAX_LIFE_MS: String(ctx.opts.maxLifeMs) } });
    await c.ready;
    await c.call('load', { simPort: sim.port, redisPort: redis.port, leaseSeconds, pollInterval });
    const r = { c, events: [], status: '' };
    replicas.add(r);
    return r;
  };
  const drainAll = async () => {
    for (const r of replicas) {
      const d = await r.c.call('drain');
      r.events.push(...d.events);
      r.status = d.status;
    }
  };
  try {
    for (let i = 0; i < 10; i++) sim.control.raiseAlarm({ description: `Standing alarm ${i}` });
    await start();
    await start();
    // one holder, one standby
    const t0 = Date.now();
    for (;;) {
      await drainAll();
      const s = [...replicas].map((r) => r.status);
      if (s.some((x) => x.startsWith('polling')) && s.some((x) => x.startsWith('standby'))) break;
      if (Date.now() - t0 > 60_000) throw new Error(`no holder and standby: ${s.join(' / ')}`);
      await sleep(200);
    }

    // Redis commands per poll, idle
    const lists = () => sim.control.log().filter((e) => e.path.startsWith('/api/v1/alarms/active') && !/\/\d+$/.test(e.path)).length;
    const c0 = await redisRoundTrips(redis.port);
    const l0 = lists();
    await sleep(windowS * 1000);
    const c1 = await redisRoundTrips(redis.port);
    const l1 = lists();
    const polls = l1 - l0;
    const commands = c1 - c0;
    const perPoll = polls > 0 ? commands / polls : null;

    // Failover
    const times = [];
    for (let k = 0; k < kills; k++) {
      await drainAll();
      const holder = [...replicas].find((r) => r.status.startsWith('polling'));
      if (!holder) throw new Error('no holder before a kill');
      const other = [...replicas].find((r) => r !== holder);
      const alarm = sim.control.raiseAlarm({ description: `Failover ${k}` });
      const killedAt = Date.now();
      holder.c.child.kill('SIGKILL');
      replicas.delete(holder);
      let took;
      while (took === undefined) {
        const d = await other.c.call('drain');
        const hit = d.events.find((e) => e.event === 'raised' && e.id === alarm.id && e.description === alarm.description);
        if (hit) took = hit.at - killedAt;
        else if (Date.now() - killedAt > 4 * (leaseSeconds + pollInterval) * 1000) throw new Error('the standby never took over');
        else await sleep(25);
      }
      times.push(took);
      ctx.log(`failover ${k + 1}/${kills}: ${took} ms`);
      await start(); // two replicas again
      await sleep(500);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const max = times[times.length - 1];
    const goal = (pollInterval + leaseSeconds) * 1000;
    const rows = [
      row('7a', `replicas: failover after SIGKILL of the holder (lease ${leaseSeconds} s, poll ${pollInterval} s), median / max`, `${round(median / 1000, 2)} / ${round(max / 1000, 2)} s over ${kills} kills`, `<= poll + lease = ${goal / 1000} s`, round(max / goal, 2), max <= goal),
      row('7b', 'replicas: Redis round trips per idle poll (holder renewal + standby attempt)', perPoll === null ? 'no polls' : `${round(perPoll, 2)} (${commands} scripts / ${polls} polls in ${windowS} s)`, '', null, null),
    ];
    return { rows, data: { pollInterval, leaseSeconds, failoverMs: times, redisCommands: commands, polls, windowS } };
  } finally {
    for (const r of replicas) await r.c.stop().catch(() => undefined);
    await sim.close();
    await redis.close();
  }
}

module.exports = { id: 7, name: 'failover', run };

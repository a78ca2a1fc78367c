'use strict';
/**
 * 4. Alarm storm: a device with 10,000 active alarms, first full sync.
 *
 * - Overhead (4a): the first sync through the real node (default
 *   concurrency and connections, to the 10,000th `raised` message) against
 *   a bare undici client making the same list and detail requests at the
 *   same concurrency on as many connections (lib/bare.js bareStorm). The
 *   engine alone (src/client/alarm-sync.ts with our client) is timed too.
 * - Sweep (4d): the engine and the bare client at detail-read concurrency
 *   1, 2, 4, 8 and 16 (connections = concurrency + 2, so that the pool is
 *   not what limits), each on a fresh device, each in a fresh process: the
 *   measurement the default concurrency is chosen from (bench/README.md).
 * - Through the real node: peak RSS growth of the Node-RED process (4b),
 *   then the same storm cleared: time until 10,000 `cleared` messages (4c).
 *
 * On loopback the simulator answers in well under a millisecond, so
 * concurrency would hardly matter; its `slowMs` fault adds a fixed
 * server-side latency to every answer (as a real device has), so that it
 * does.
 */
const path = require('node:path');
const { row } = require('../lib/context');
const { round } = require('../lib/measure');

const ROOT = path.join(__dirname, '..', '..');

/** The defaults the node runs with, read from the compiled client (what the sweep is compared with). */
function defaults() {
  const { DEFAULT_CONNECTIONS } = require(path.join(ROOT, 'client'));
  const { DEFAULT_CONCURRENCY } = require(path.join(ROOT, 'client', 'alarm-sync.js'));
  return { concurrency: DEFAULT_CONCURRENCY, connections: DEFAULT_CONNECTIONS };
}

async function run(ctx) {
  const alarms = ctx.opts.stormAlarms || 10_000;
  const slowMs = ctx.opts.slowMs ?? 2;
  // the sweep's shape does not depend on the count: the quick run sweeps a fifth of it
  const sweepAlarms = ctx.quick ? Math.min(alarms, 2_000) : alarms;
  const levels = [1, 2, 4, 8, 16];
  const def = defaults();
  const sims = await ctx.simHost('sim-host storm');
  const result = { alarms, slowMs, defaults: def, sweepAlarms, sweep: [], engine: {}, bare: {}, node: {} };
  // a fresh device each time, so each run is a first full sync
  const freshDevice = async (count) => {
    await sims.call('closeAll');
    const [sim] = await sims.call('start', { count: 1, alarms: count, logLimit: count * 3 + 1000 }, 120_000);
    await sims.call('setFaults', { index: 0, faults: { slowMs } });
    return sim;
  };
  const once = async (label, method, args, count) => {
    const sim = await freshDevice(count);
    const w = await ctx.worker(`storm-${label}`);
    try {
      const r = await w.call(method, { port: sim.port, ...args }, 660_000);
      r.requests = (await sims.call('logStats', {})).total;
      return r;
    } finally {
      await w.stop();
    }
  };
  try {
    // 4a: the default settings, both sides
    result.engine = await once('engine-default', 'engineStorm', {}, alarms);
    ctx.log(`storm engine (default: concurrency ${def.concurrency}, ${def.connections} connections): ${result.engine.raised}/${alarms} in ${result.engine.ms} ms, ${result.engine.requests.requests} requests`);
    result.bare = await once('bare-default', 'bareStorm', { concurrency: def.concurrency, connections: def.connections }, alarms);
    ctx.log(`storm bare undici (concurrency ${def.concurrency}, ${def.connections} connections): ${result.bare.raised}/${alarms} in ${result.bare.ms} ms, ${result.bare.requests.requests} requests`);

    // 4b, 4c: through the node
    const sim = await freshDevice(alarms);
    const w = await ctx.worker('storm-node');
    try {
      await w.call('init', { side: 'ours' });
      await w.call('setupPolling', { side: 'ours', devices: [{ port: sim.port }], pollInterval: 0, emitExisting: true });
      await sims.call('clearLogs', {});
      const raised = await w.call('storm', { event: 'raised', expect: alarms, timeoutMs: 600_000 }, 620_000);
      raised.requests = (await sims.call('logStats', {})).total;
      ctx.log(`storm node: ${raised.got}/${alarms} raised in ${raised.ms} ms, rss +${raised.rssGrowthMiB} MiB`);
      await sims.call('clearAll', { index: 0 });
      await sims.call('clearLogs', {});
      const cleared = await w.call('storm', { event: 'cleared', expect: alarms, timeoutMs: 300_000 }, 320_000);
      cleared.requests = (await sims.call('logStats', {})).total;
      ctx.log(`storm node cleared: ${cleared.got}/${alarms} in ${cleared.ms} ms, rss +${cleared.rssGrowthMiB} MiB`);
      result.node = { raised, cleared };
      await w.call('teardown');
    } finally {
      await w.stop();
    }

    // 4d: the sweep
    for (const c of levels) {
      const connections = c + 2;
      const e = await once(`sweep-engine-${c}`, 'engineStorm', { concurrency: c, connections }, sweepAlarms);
      const b = await once(`sweep-bare-${c}`, 'bareStorm', { concurrency: c, connections }, sweepAlarms);
      result.sweep.push({ concurrency: c, connections, engineMs: e.ms, engineRaised: e.raised, engineCpuMs: e.cpuMs, bareMs: b.ms, bareRaised: b.raised, bareCpuMs: b.cpuMs });
      ctx.log(`storm sweep concurrency ${c} (${connections} connections, ${sweepAlarms} alarms): engine ${e.ms} ms (${e.raised}), bare ${b.ms} ms (${b.raised})`);
    }
  } finally {
    await sims.call('closeAll').catch(() => undefined);
    await sims.stop();
  }
  const e = result.engine;
  const b = result.bare;
  const nr = result.node.raised;
  const nc = result.node.cleared;
  const sec = (ms) => round(ms / 1000, 2);
  const complete = nr.got === alarms && b.raised === alarms;
  const overhead = round(nr.ms / b.ms, 2);
  const peak = Math.max(nr.rssGrowthMiB, nc.rssGrowthMiB);
  const s1 = result.sweep[0];
  const sweepText = result.sweep.map((s) => `${s.concurrency}: ${sec(s.engineMs)} s (bare ${sec(s.bareMs)}, ${round(s1.engineMs / s.engineMs, 1)}x)`).join('; ');
  const rows = [
    row(
      '4a',
      `storm ${alarms} alarms, slowMs ${slowMs}: first sync, node / bare undici (concurrency ${def.concurrency}, ${def.connections} connections)`,
      `${sec(nr.ms)} / ${sec(b.ms)} s`,
      '<= 1.2x',
      overhead,
      complete && overhead <= 1.2,
      `${complete ? '' : `node raised ${nr.got}, bare read ${b.raised} of ${alarms}; `}the engine alone (our client, no Node-RED): ${sec(e.ms)} s = ${round(e.ms / b.ms, 2)}x; CPU node ${round(nr.cpuMs / 1000, 1)} s, engine ${round(e.cpuMs / 1000, 1)} s, bare ${round(b.cpuMs / 1000, 1)} s`,
    ),
    row('4b', 'storm through the node: first sync time, peak RSS growth', `${sec(nr.ms)} s, +${peak} MiB (heap +${nr.heapPeakGrowthMiB} MiB)`, '< 100 MiB', round(peak / 100, 2), nr.got === alarms && peak < 100, nr.got === alarms ? `${nr.requests.requests} requests` : `got ${nr.got} of ${alarms}`),
    row('4c', `storm cleared: time to report ${alarms} clears`, `${sec(nc.ms)} s (${nc.requests.requests} requests)`, '', null, null, nc.got === alarms ? '' : `got ${nc.got} of ${alarms}`),
    row('4d', `storm sweep, ${sweepAlarms} alarms: first sync (engine) by detail-read concurrency`, sweepText, '', null, null, `connections = concurrency + 2; speed-up against concurrency 1 in brackets; the default is ${def.concurrency}`),
  ];
  return { rows, data: result };
}

module.exports = { id: 4, name: 'storm', run };

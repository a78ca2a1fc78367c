'use strict';
/**
 * 4. Alarm storm: a device with 10,000 active alarms, first full sync.
 *
 * - Concurrency 1 versus the default: the mediant-alarms-poll node has no
 *   concurrency property (the contract fixes its properties), so this pair is
 *   timed on the engine the node runs (src/client/alarm-sync.ts, option
 *   `concurrency`) with our client, each in a fresh process.
 * - Through the real node (default concurrency): time until 10,000 `raised`
 *   messages, peak RSS growth of the Node-RED process, then the same storm
 *   cleared: time until 10,000 `cleared` messages.
 *
 * On loopback the simulator answers in well under a millisecond, so
 * concurrency would hardly matter; its `slowMs` fault adds a fixed
 * server-side latency to every answer (as a real device has), so that it
 * does.
 */
const { row } = require('../lib/context');
const { round } = require('../lib/measure');

async function run(ctx) {
  const alarms = ctx.opts.stormAlarms || 10_000;
  const slowMs = ctx.opts.slowMs ?? 2;
  const sims = await ctx.simHost('sim-host storm');
  const result = { alarms, slowMs, engine: {}, node: {} };
  // a fresh device each time, so each run is a first full sync
  const freshDevice = async () => {
    await sims.call('closeAll');
    const [sim] = await sims.call('start', { count: 1, alarms, logLimit: alarms * 3 + 1000 }, 120_000);
    await sims.call('setFaults', { index: 0, faults: { slowMs } });
    return sim;
  };
  try {
    // serial and default: the goal's pair; wide: what more concurrency (with
    // as many pool connections: the client's pool has 4 by default) and bigger
    // pages (the simulator, like the device, caps a page at 100) would give.
    const engineRuns = { serial: { concurrency: 1 }, default: {}, wide: { concurrency: 8, connections: 8, pageLimit: 100 } };
    for (const [name, settings] of Object.entries(engineRuns)) {
      const sim = await freshDevice();
      const w = await ctx.worker(`storm-engine-${name}`);
      try {
        const r = await w.call('engineStorm', { port: sim.port, ...settings }, 660_000);
        r.requests = (await sims.call('logStats', {})).total;
        result.engine[name] = r;
        ctx.log(`storm engine ${name} (concurrency ${r.concurrency}, connections ${r.connections}, page ${r.pageLimit}): ${r.raised}/${alarms} in ${r.ms} ms, rss +${r.rssGrowthMiB} MiB, ${r.requests.requests} requests`);
      } finally {
        await w.stop();
      }
    }
    const sim = await freshDevice();
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
  } finally {
    await sims.call('closeAll').catch(() => undefined);
    await sims.stop();
  }
  const s = result.engine.serial;
  const d = result.engine.default;
  const wide = result.engine.wide;
  const nr = result.node.raised;
  const nc = result.node.cleared;
  const complete = s.raised === alarms && d.raised === alarms;
  const speedup = round(s.ms / d.ms, 2);
  const peak = Math.max(nr.rssGrowthMiB, nc.rssGrowthMiB);
  const sec = (ms) => round(ms / 1000, 2);
  const rows = [
    row('4a', `storm ${alarms} alarms, slowMs ${slowMs}: first sync, concurrency 1 / default (engine)`, `${sec(s.ms)} / ${sec(d.ms)} s`, '>= 4x faster', speedup, complete && speedup >= 4, `${complete ? '' : `raised ${s.raised} and ${d.raised} of ${alarms}; `}with ${s.requests.listNext + 1} list pages read one after another, 4 at a time cannot reach 4x; concurrency 8 on 8 connections with 100-alarm pages: ${sec(wide.ms)} s = ${round(s.ms / wide.ms, 2)}x`),
    row('4b', 'storm through the node: first sync time, peak RSS growth', `${sec(nr.ms)} s, +${peak} MiB (heap +${nr.heapPeakGrowthMiB} MiB)`, '< 100 MiB', round(peak / 100, 2), nr.got === alarms && peak < 100, nr.got === alarms ? `${nr.requests.requests} requests` : `got ${nr.got} of ${alarms}`),
    row('4c', `storm cleared: time to report ${alarms} clears`, `${sec(nc.ms)} s (${nc.requests.requests} requests)`, '', null, null, nc.got === alarms ? '' : `got ${nc.got} of ${alarms}`),
  ];
  return { rows, data: result };
}

module.exports = { id: 4, name: 'storm', run };

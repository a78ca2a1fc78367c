'use strict';
/**
 * 6. Per-call overhead: mediant-status round trips per second through the
 * node (input -> GET /status -> output), one at a time, versus a bare undici
 * request to the same simulator; our client alone is shown in between, to
 * tell the client's cost from the node layer's.
 */
const { row } = require('../lib/context');
const { round } = require('../lib/measure');

async function run(ctx) {
  const durationMs = ctx.quick ? 3000 : 10_000;
  const sims = await ctx.simHost('sim-host overhead');
  const w = await ctx.worker('overhead');
  const result = { durationMs };
  try {
    const [sim] = await sims.call('start', { count: 1 });
    await w.call('init', { side: 'ours' });
    await w.call('setupSingle', { type: 'mediant-status', port: sim.port });
    // Two rounds in turn, the best of each kept: the first round also warms up the JIT and the connections.
    result.rounds = [];
    for (let round = 0; round < 2; round++) {
      for (const via of ['bare', 'client', 'node']) {
        const r = await w.call('roundTrips', { via, port: sim.port, durationMs, concurrency: 1 }, durationMs + 60_000);
        result.rounds.push(r);
        if (!result[via] || r.perSecond > result[via].perSecond) result[via] = r;
        ctx.log(`overhead ${via}: ${r.perSecond}/s, ${r.cpuPerCallUs} us CPU per call`);
      }
    }
    await w.call('teardown');
  } finally {
    await w.stop();
    await sims.call('closeAll').catch(() => undefined);
    await sims.stop();
  }
  const ratio = round(result.node.perSecond / result.bare.perSecond, 2);
  const rows = [
    row('6a', 'mediant-status round trips/s: node / bare undici', `${result.node.perSecond} / ${result.bare.perSecond} (client alone ${result.client.perSecond})`, '', ratio, null, `CPU per call ${result.node.cpuPerCallUs} / ${result.bare.cpuPerCallUs} us`),
  ];
  return { rows, data: result };
}

module.exports = { id: 6, name: 'overhead', run };

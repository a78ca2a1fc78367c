'use strict';
/**
 * 2. Fleet: many devices in one Node-RED process, each polling its own
 * simulator (one port each, all simulators in another process), on our
 * node's own pollInterval timer, two ways: `ours`, a mediant-device +
 * mediant-alarms-poll pair per device (rows 2a-2d), and `fleet`, the
 * mediant-device nodes and ONE mediant-alarms-poll over all of them
 * (deviceFrom `all`, rows 2e-2h). Side by side, in fresh processes against
 * the same simulators: the do-it-yourself core-node flow (inject repeat ->
 * http request ...) and a bare undici loop (a setTimeout chain per device,
 * as our node schedules), at the same rate.
 */
const { row } = require('../lib/context');
const { round } = require('../lib/measure');

async function run(ctx) {
  const o = ctx.opts;
  // Quick mode keeps the full run's poll rate (100 polls/s) with a tenth of the devices.
  const devices = o.devices || (ctx.quick ? 100 : 1000);
  const intervalS = o.interval || (ctx.quick ? 1 : 10);
  const alarms = 3;
  const windowS = o.windowS || (ctx.quick ? 30 : 60);
  const sims = await ctx.simHost('sim-host fleet');
  const result = { devices, intervalS, alarmsPerDevice: alarms, windowS, sides: {} };
  try {
    ctx.log(`fleet: starting ${devices} simulators`);
    const started = await sims.call('start', { count: devices, alarms }, 300_000);
    const targets = started.map((s) => ({ port: s.port }));
    for (const side of o.sides || ['ours', 'fleet', 'baseline', 'bare', 'bare-spread']) {
      const w = await ctx.worker(`fleet-${side}`);
      try {
        const init = await w.call('init', { side });
        init.idle = await w.call('idle', { durationMs: 2000 });
        const setup = await w.call('setupPolling', { side, devices: targets, pollInterval: intervalS, emitExisting: true }, 600_000);
        ctx.log(`fleet ${side}: ${devices} devices set up in ${setup.setupMs} ms`);
        // Warm-up: the first poll (details fetched once) and a bit, then a window of whole intervals.
        const warmMs = Math.max(3000, Math.round(intervalS * 1500));
        await new Promise((r) => setTimeout(r, warmMs));
        await sims.call('clearLogs', {});
        const simCpu0 = await sims.call('usage');
        const win = await w.call('window', { durationMs: windowS * 1000 }, windowS * 1000 + 60_000);
        const { total } = await sims.call('logStats', {});
        const simCpu1 = await sims.call('usage');
        const polls = total.listFirst;
        const r = {
          init,
          setup,
          window: win,
          requests: total,
          polls,
          expectedPolls: Math.round((devices * windowS) / intervalS),
          requestsPerPoll: round(total.requests / Math.max(1, polls), 2),
          cpuPerPollMs: round(win.cpuMs / Math.max(1, polls), 3),
          // the same, less what the process spent idle before the flow was loaded (measurement timers, GC)
          cpuPerPollNetMs: round((win.cpuMs - (init.idle.cpuMsPerS * win.wallMs) / 1000) / Math.max(1, polls), 3),
          rssPerDeviceKiB: round(((win.rssSettledMiB - setup.rssBeforeMiB) * 1024) / devices, 1),
          // V8's young generation is sized by the allocation rate, not by the
          // devices; it moves RSS by up to ~32 MiB either way (shown, not subtracted)
          newSpaceGrowthMiB: round(win.newSpaceSettledMiB - setup.newSpaceBeforeMiB, 1),
          heapPerDeviceKiB: round(((win.heapSettledMiB - setup.heapBeforeMiB) * 1024) / devices, 1),
          simCpuMs: round(simCpu1.cpuMs - simCpu0.cpuMs, 0),
        };
        result.sides[side] = r;
        ctx.log(`fleet ${side}: ${polls} polls, cpu/poll ${r.cpuPerPollMs} ms, eld p99 ${win.eldP99Ms} ms, rss/device ${r.rssPerDeviceKiB} KiB, errors ${win.errors}`);
        await w.call('teardown', {}, 120_000);
      } finally {
        await w.stop();
      }
    }
  } finally {
    await sims.call('closeAll', {}, 120_000).catch(() => undefined);
    await sims.stop();
  }
  const s = result.sides;
  const rows = [];
  const label = `${devices} devices / ${intervalS} s (${round(devices / intervalS, 1)} polls/s)`;
  const other = (k, f) => (s[k] ? `${k} ${s[k][f]}` : `${k} ?`);
  // The same four figures for each of our two ways of watching the fleet.
  // Each against the bare loop scheduled as it is: the nodes per device all
  // poll first 100 ms after the start (then in step); one node over all
  // spreads its first polls over the interval, and so does `bare-spread`.
  const ways = [
    { side: 'ours', ids: ['2a', '2b', '2c', '2d'], name: `${devices} single-device nodes`, floor: 'bare' },
    { side: 'fleet', ids: ['2e', '2f', '2g', '2h'], name: 'one node over all devices', floor: s['bare-spread'] ? 'bare-spread' : 'bare' },
  ];
  for (const { side, ids, name, floor } of ways) {
    const x = s[side];
    if (!x) continue;
    const polledAll = x.polls >= 0.9 * x.expectedPolls && x.window.errors === 0;
    rows.push(row(ids[0], `fleet ${label}, ${name}: event-loop delay p50 / p99`, `${x.window.eldP50Ms} / ${x.window.eldP99Ms} ms (baseline ${s.baseline ? s.baseline.window.eldP99Ms : '?'} ms)`, 'p99 < 20 ms', round(x.window.eldP99Ms / 20, 2), x.window.eldP99Ms < 20 && polledAll, `${polledAll ? '' : `polls ${x.polls}/${x.expectedPolls}, errors ${x.window.errors}${x.window.lastErrors.length ? ` (${x.window.lastErrors[0]})` : ''}; `}max ${x.window.eldMaxMs} ms; before loading, the idle process showed p99 ${x.init.idle.eldP99Ms} ms (machine noise)`));
    if (s.baseline) {
      const ratio = round(x.cpuPerPollMs / s.baseline.cpuPerPollMs, 3);
      rows.push(row(ids[1], `fleet, ${name}: CPU per poll, ours / core-node flow`, `${x.cpuPerPollMs} / ${s.baseline.cpuPerPollMs} ms`, '<= 0.2x', ratio, ratio <= 0.2, `less idle CPU: ${x.cpuPerPollNetMs} / ${s.baseline.cpuPerPollNetMs} ms = ${round(x.cpuPerPollNetMs / s.baseline.cpuPerPollNetMs, 3)}; GC ${round(x.window.gc.minorMs + x.window.gc.majorMs, 0)} ms in the window (baseline ${round(s.baseline.window.gc.minorMs + s.baseline.window.gc.majorMs, 0)})`));
    }
    const b = s[floor];
    if (b) {
      const ratio = round(x.cpuPerPollMs / b.cpuPerPollMs, 3);
      const other = floor === 'bare' ? s['bare-spread'] : s.bare;
      const otherText = other ? `; the bare loop ${floor === 'bare' ? 'with its first polls spread' : 'polling in step'}: ${other.cpuPerPollMs} ms` : '';
      rows.push(row(ids[2], `fleet, ${name}: CPU per poll, ours / bare undici${floor === 'bare-spread' ? ' (polls spread alike)' : ''}`, `${x.cpuPerPollMs} / ${b.cpuPerPollMs} ms`, '<= 2x', ratio, ratio <= 2, `less idle CPU: ${x.cpuPerPollNetMs} / ${b.cpuPerPollNetMs} ms = ${round(x.cpuPerPollNetMs / b.cpuPerPollNetMs, 3)}${otherText}`));
    }
    rows.push(
      row(
        ids[3],
        `fleet, ${name}: RSS per device`,
        `${x.rssPerDeviceKiB} KiB (${other('baseline', 'rssPerDeviceKiB')}, ${other('bare', 'rssPerDeviceKiB')})`,
        '< 150 KiB',
        round(x.rssPerDeviceKiB / 150, 2),
        x.rssPerDeviceKiB < 150,
        `JS heap per device ${x.heapPerDeviceKiB} KiB (${other('baseline', 'heapPerDeviceKiB')}, ${other('bare', 'heapPerDeviceKiB')}); V8's young generation changed by ${x.newSpaceGrowthMiB} MiB meanwhile (${other('baseline', 'newSpaceGrowthMiB')}, ${other('bare', 'newSpaceGrowthMiB')}); RSS per device is noisy below 1,000 devices`,
      ),
    );
  }
  return { rows, data: result };
}

module.exports = { id: 2, name: 'fleet', run };

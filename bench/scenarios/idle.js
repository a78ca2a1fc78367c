'use strict';
/**
 * 1. Idle poll cost: requests per poll when nothing changed, read from the
 * simulator's request log. History mode (goal <= 2 requests) and active mode
 * with N alarms (goal: list pages only, no detail requests), through the real
 * mediant-alarms-poll node; the baseline flow polling the same devices is
 * shown next to it.
 */
const { row } = require('../lib/context');
const { round } = require('../lib/measure');

async function run(ctx) {
  const polls = ctx.quick ? 5 : 20;
  const activeAlarms = 50;
  const historyEntries = 30;
  const sims = await ctx.simHost('sim-host idle');
  try {
    const [hist] = await sims.call('start', { count: 1, history: historyEntries / 2 });
    const [act] = await sims.call('start', { count: 1, alarms: activeAlarms });
    const devices = [
      { port: hist.port, alarmType: 'history' },
      { port: act.port, alarmType: 'active' },
    ];
    const result = {};
    for (const side of ['ours', 'baseline']) {
      const w = await ctx.worker(`idle-${side}`);
      try {
        await w.call('init', { side });
        // The baseline flow takes one alarm type for all devices: run it per device.
        const sideResult = {};
        if (side === 'ours') {
          await w.call('setupPolling', { side, devices, pollInterval: 0, emitExisting: true });
        }
        for (const [index, d] of devices.entries()) {
          let triggerIndex = index;
          let bw = null;
          if (side === 'baseline') {
            bw = index === 0 ? w : await ctx.worker(`idle-baseline-${d.alarmType}`);
            if (index > 0) await bw.call('init', { side });
            await bw.call('setupPolling', { side, devices: [d], alarmType: d.alarmType, pollInterval: 0 });
            triggerIndex = 0;
          }
          const drv = bw || w;
          // first poll: takes in what is there (details fetched once)
          await sims.call('clearLogs', { index });
          await drv.call('trigger', { index: triggerIndex });
          const first = await ctx.settle(sims, index);
          await sims.call('clearLogs', { index });
          for (let i = 0; i < polls; i++) {
            await drv.call('trigger', { index: triggerIndex });
            await ctx.settle(sims, index, { atLeast: i + 1, quietMs: 200 });
          }
          const { total } = await sims.call('logStats', { index });
          const tail = await sims.call('logTail', { index, n: 6 });
          sideResult[d.alarmType] = {
            firstPoll: first,
            polls,
            requestsPerPoll: round(total.requests / polls, 2),
            listPagesPerPoll: round((total.listFirst + total.listNext) / polls, 2),
            detailPerPoll: round(total.detail / polls, 2),
            otherPerPoll: round(total.other / polls, 2),
            errors: total.errors,
            lastRequests: tail,
          };
          if (bw && bw !== w) {
            await bw.call('teardown');
            await bw.stop();
          }
        }
        result[side] = sideResult;
        await w.call('teardown');
      } finally {
        await w.stop();
      }
    }
    const oh = result.ours.history;
    const oa = result.ours.active;
    const bh = result.baseline.history;
    const ba = result.baseline.active;
    const rows = [
      row('1a', 'idle poll, history mode: requests/poll', `${oh.requestsPerPoll} (baseline ${bh.requestsPerPoll})`, '<= 2', round(oh.requestsPerPoll / 2, 2), oh.requestsPerPoll <= 2 && oh.errors === 0),
      row(
        '1b',
        `idle poll, active mode, ${activeAlarms} alarms: requests/poll`,
        `${oa.requestsPerPoll} = ${oa.listPagesPerPoll} list pages + ${oa.detailPerPoll} details (baseline ${ba.requestsPerPoll})`,
        'list pages only',
        round(oa.requestsPerPoll / Math.max(oa.listPagesPerPoll, 1), 2),
        oa.detailPerPoll === 0 && oa.otherPerPoll === 0 && oa.errors === 0 && oa.listPagesPerPoll >= 1,
        'baseline reads only the first page (20 alarms) and fetches each one',
      ),
    ];
    return { rows, data: { polls, activeAlarms, historyEntries, ...result } };
  } finally {
    await sims.call('closeAll').catch(() => undefined);
    await sims.stop();
  }
}

module.exports = { id: 1, name: 'idle', run };

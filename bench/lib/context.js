'use strict';
/**
 * What every scenario gets from the orchestrator: a simulator host child,
 * measured worker children (with --expose-gc, and --cpu-prof when asked),
 * logging, and the row format of the results table.
 */
const path = require('node:path');
const fs = require('node:fs');
const { spawnChild } = require('./ipc');
const { sleep } = require('./measure');

const BENCH = path.join(__dirname, '..');

function createContext(opts) {
  const children = new Set();
  const log = (...a) => {
    if (!opts.silent) process.stderr.write(`  ${a.join(' ')}\n`);
  };

  async function own(c) {
    children.add(c);
    c.exited.then(() => children.delete(c));
    await c.ready;
    return c;
  }

  /** A simulator host: `sims.start({count, alarms, ...})` etc. (see sim-host.js). */
  async function simHost(name = 'sim-host') {
    const c = spawnChild(path.join(BENCH, 'sim-host.js'), { name, env: { BENCH_MAX_LIFE_MS: String(opts.maxLifeMs) } });
    return own(c);
  }

  /** A measured worker process; `label` names its CPU profile when profiling. */
  async function worker(label) {
    const execArgv = ['--expose-gc'];
    const env = { BENCH_MAX_LIFE_MS: String(opts.maxLifeMs) };
    if (opts.profile) {
      // CPU profile of each measurement window (see lib/measure.js), not of start-up
      env.BENCH_PROFILE_DIR = path.join(BENCH, 'results', 'prof');
      env.BENCH_PROFILE_LABEL = label;
      fs.mkdirSync(env.BENCH_PROFILE_DIR, { recursive: true });
    }
    const c = spawnChild(path.join(BENCH, 'worker.js'), { name: `worker ${label}`, execArgv, env });
    return own(c);
  }

  /** Wait until a simulator's request log stops growing for `quietMs` (a poll is over). */
  async function settle(sims, index, { quietMs = 300, timeoutMs = 30_000, atLeast = 1 } = {}) {
    const end = Date.now() + timeoutMs;
    let last = -1;
    let since = Date.now();
    for (;;) {
      const { total } = await sims.call('logStats', { index });
      if (total.requests !== last) {
        last = total.requests;
        since = Date.now();
      } else if (total.requests >= atLeast && Date.now() - since >= quietMs) {
        return total;
      }
      if (Date.now() > end) throw new Error(`simulator #${index} did not settle in ${timeoutMs} ms (${total.requests} requests)`);
      await sleep(50);
    }
  }

  async function stopAll() {
    await Promise.all([...children].map((c) => c.stop().catch(() => undefined)));
  }

  return { opts, quick: opts.quick, log, simHost, worker, settle, stopAll };
}

/**
 * One row of the table. `ratio` is the compared quantity (ours/baseline,
 * measured/limit, speed-up), `pass` true/false, or null where there is no goal.
 */
function row(id, figure, value, goal, ratio, pass, note) {
  return { id, figure, value, goal: goal || '', ratio: ratio === undefined ? null : ratio, pass: pass === undefined ? null : pass, note: note || '' };
}

module.exports = { createContext, row };

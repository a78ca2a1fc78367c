'use strict';
/**
 * Child process that hosts the simulators (one port each, 127.0.0.1 only),
 * so that their CPU and memory are not counted against the Node-RED process
 * being measured. Driven by bench/run.js over IPC.
 */
const path = require('node:path');
const { serve } = require('./lib/ipc');
const { classify } = require('./lib/paths');

const { startSimulator } = require(path.join(__dirname, '..', 'simulator'));

/** @type {import('../simulator').Simulator[]} */
let sims = [];

function pick(index) {
  if (index === undefined || index === null) return sims;
  const s = sims[index];
  if (!s) throw new Error(`no simulator #${index}`);
  return [s];
}

function alarmsFor(n, prefix) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({ description: `${prefix} alarm ${i + 1}`, severity: i % 3 === 0 ? 'major' : 'minor', source: `Board#1/EthernetLink#${(i % 8) + 1}` });
  }
  return out;
}

const handlers = {
  /** Start `count` more simulators; `alarms` active alarms each; `history` raised-then-cleared alarms each. */
  async start({ count = 1, alarms = 0, history = 0, logLimit = 10_000, options = {} }) {
    const started = [];
    const batch = 50;
    for (let i = 0; i < count; i += batch) {
      const n = Math.min(batch, count - i);
      const group = await Promise.all(
        Array.from({ length: n }, () =>
          // firmware 7.0 unless a run asks otherwise: figures stay comparable with the earlier runs
          startSimulator({ firmware: '7.0', host: '127.0.0.1', port: 0, logLimit, bootTimeMs: 500, ...options, initialAlarms: alarmsFor(alarms, 'bench') }),
        ),
      );
      for (const s of group) {
        for (let h = 0; h < history; h++) {
          const a = s.control.raiseAlarm({ description: `bench history ${h + 1}`, severity: 'warning' });
          s.control.clearAlarm(a.id);
        }
        s.control.clearLog();
      }
      started.push(...group);
    }
    const base = sims.length;
    sims.push(...started);
    return started.map((s, i) => ({ index: base + i, port: s.port, url: s.url }));
  },

  async clearLogs({ index }) {
    for (const s of pick(index)) s.control.clearLog();
    return true;
  },

  /** Counts of the requests logged since the last clearLogs, by kind; per simulator when `perSim`. */
  async logStats({ index, perSim = false }) {
    const total = { requests: 0, listFirst: 0, listNext: 0, detail: 0, status: 0, upload: 0, other: 0, errors: 0, bytesIn: 0, unauthenticated: 0 };
    const each = [];
    for (const s of pick(index)) {
      const c = { requests: 0, listFirst: 0, listNext: 0, detail: 0, status: 0, upload: 0, other: 0, errors: 0, bytesIn: 0, unauthenticated: 0 };
      for (const e of s.control.log()) {
        if (!e.path.startsWith('/api')) continue;
        c.requests++;
        c[classify(e.method, e.path)]++;
        if (e.status >= 400) c.errors++;
        if (!e.authenticated) c.unauthenticated++;
        c.bytesIn += e.bytes || 0;
      }
      for (const k of Object.keys(total)) total[k] += c[k];
      if (perSim) each.push(c);
    }
    return perSim ? { total, each } : { total };
  },

  /** The last `n` logged requests of one simulator (to show what a poll does). */
  async logTail({ index = 0, n = 20 }) {
    const log = pick(index)[0].control.log();
    return log.slice(-n).map((e) => `${e.method} ${e.path} -> ${e.status}`);
  },

  /**
   * When each simulator first saw a list request (a poll's first page) since
   * the last clearLogs: how many have, the latest of those first times and
   * all of them, sorted (ms since the epoch; this host and the orchestrator
   * share the clock).
   */
  async firstPolls() {
    const times = [];
    for (const s of sims) {
      const e = s.control.log().find((x) => x.method === 'GET' && classify(x.method, x.path) === 'listFirst');
      if (e) times.push(Date.parse(e.time));
    }
    times.sort((a, b) => a - b);
    return { polled: times.length, of: sims.length, lastFirstMs: times.length ? times[times.length - 1] : 0, times };
  },

  async setFaults({ index, faults }) {
    let last;
    for (const s of pick(index)) last = s.control.setFaults(faults);
    return last;
  },

  async raise({ index, count = 1, prefix = 'bench raised' }) {
    const ids = [];
    for (const s of pick(index)) {
      for (let i = 0; i < count; i++) ids.push(s.control.raiseAlarm({ description: `${prefix} ${i + 1}`, severity: 'critical' }).id);
    }
    return ids.length;
  },

  async clearAll({ index }) {
    let n = 0;
    for (const s of pick(index)) n += s.control.clearAllAlarms();
    return n;
  },

  async counts({ index }) {
    return pick(index).map((s) => {
      const st = s.control.state();
      return { active: st.activeAlarms.length, history: st.historyAlarms.length, uploads: st.uploads.map((u) => ({ fileType: u.fileType, bytes: u.bytes })) };
    });
  },

  async waitUp({ index = 0 }) {
    await pick(index)[0].control.waitUntilUp();
    return true;
  },

  async usage() {
    const c = process.cpuUsage();
    return { cpuMs: (c.user + c.system) / 1000, rssMiB: process.memoryUsage.rss() / 1048576 };
  },

  async closeAll() {
    const all = sims;
    sims = [];
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
    return all.length;
  },
};

serve(handlers, { maxLifeMs: Number(process.env.BENCH_MAX_LIFE_MS) || 60 * 60 * 1000 });

'use strict';
/**
 * The process being measured: one Node-RED runtime (test helper) with our
 * nodes or the baseline core-node flow, or a bare undici loop. Driven by
 * bench/run.js over IPC; the simulators run in another process.
 */
const path = require('node:path');
const v8 = require('node:v8');
const { serve } = require('./lib/ipc');
const { Window, RssSampler, profileStart, profileStop, round, mib, sleep } = require('./lib/measure');
const nr = require('./lib/nodered');
const bare = require('./lib/bare');

const ROOT = path.join(__dirname, '..');

const state = {
  side: null,
  triggers: [],
  timers: [],
  agent: null,
  outCount: 0,
  outByEvent: {},
  errors: 0,
  lastErrors: [],
  bareErrors: 0,
  onOut: null,
  loaded: false,
};

function gcRss() {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  return process.memoryUsage.rss();
}

/** Committed size of V8's young generation (new space), bytes. */
function newSpaceBytes() {
  const sp = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return sp ? sp.space_size : 0;
}

function wireHelpers() {
  const out = nr.getNode('out');
  if (out) {
    out.on('input', (msg) => {
      state.outCount++;
      const ev = typeof msg.event === 'string' ? msg.event : 'msg';
      state.outByEvent[ev] = (state.outByEvent[ev] || 0) + 1;
      if (state.onOut) state.onOut(msg);
    });
  }
  const errors = nr.getNode('errors');
  if (errors) {
    errors.on('input', (msg) => {
      state.errors++;
      if (state.lastErrors.length < 5) state.lastErrors.push(String(msg.error && msg.error.message));
      if (state.onError) state.onError(msg);
    });
  }
}

function resetCounts() {
  state.outCount = 0;
  state.outByEvent = {};
  state.errors = 0;
  state.lastErrors = [];
  state.bareErrors = 0;
}

function counts() {
  return { out: state.outCount, outByEvent: { ...state.outByEvent }, errors: state.errors + state.bareErrors, lastErrors: state.lastErrors.slice() };
}

const handlers = {
  /** Load the runtime with no flow yet, so that the RSS baseline includes Node-RED itself. */
  async init({ side = 'ours' } = {}) {
    // Load the modules a side needs before the RSS baseline is taken.
    if (side === 'ours' || side === 'fleet') {
      nr.getHelper();
      nr.ours('mediant-device');
      nr.ours('mediant-alarms-poll');
    } else if (side === 'baseline') {
      nr.getHelper();
      nr.core('network/21-httprequest.js');
      nr.core('sequence/17-split.js');
      nr.core('function/15-change.js');
      nr.core('common/20-inject.js');
    }
    return { rssMiB: mib(gcRss()), gc: Boolean(global.gc), pid: process.pid };
  },

  /** CPU the process spends doing nothing (timers of the measurement itself, GC), per second. */
  async idle({ durationMs = 2000 }) {
    await sleep(1000); // let the JIT and GC settle after loading
    const w = new Window().start();
    await sleep(durationMs);
    const f = w.stop();
    await profileStop();
    return { cpuMsPerS: round((f.cpuMs * 1000) / f.wallMs, 2), eldP99Ms: f.eldP99Ms };
  },

  /**
   * Set up one side for `devices` ({port}): `ours`, `baseline` or `bare`.
   * pollInterval > 0: each side polls on its own timers (node pollInterval,
   * inject repeat, a setTimeout chain); 0: the harness triggers polls (drive).
   */
  async setupPolling({ side, devices, alarmType = 'active', pollInterval = 0, emitExisting = true, persist = false, extraPoll = {}, extraDevice = {}, wireOut = true }) {
    const rssBefore = gcRss();
    const newSpaceBefore = newSpaceBytes();
    const memBefore = process.memoryUsage();
    const heapBefore = memBefore.heapUsed;
    const t0 = Date.now();
    state.side = side;
    if (side === 'ours') {
      const f = nr.oursFlow(devices, { alarmType, pollInterval, emitExisting, extraPoll, extraDevice, wireOut });
      await nr.loadFlow(f.nodes, f.flow, f.credentials);
      wireHelpers();
      state.triggers = devices.map((_, i) => {
        const node = nr.getNode(`poll${i}`);
        return () => node.receive({});
      });
    } else if (side === 'fleet') {
      const f = nr.oursFlow(devices, { alarmType, pollInterval, emitExisting, extraPoll, extraDevice, wireOut, fleet: true });
      await nr.loadFlow(f.nodes, f.flow, f.credentials);
      wireHelpers();
      const node = nr.getNode('poll0');
      // a message naming a device polls that one device now
      state.triggers = devices.map((_, i) => () => node.receive({ device: `bench${i}` }));
    } else if (side === 'baseline') {
      const f = nr.baselineFlow(devices, { alarmType, pollInterval, persist, wireOut });
      await nr.loadFlow(f.nodes, f.flow, f.credentials);
      wireHelpers();
      state.triggers = devices.map((_, i) => {
        const node = nr.getNode(`list${i}`);
        return () => node.receive({ payload: '' });
      });
    } else if (side === 'bare' || side === 'bare-spread') {
      state.agent = bare.makeAgent();
      const pollers = devices.map((d) => bare.barePoller(state.agent, d.port, alarmType));
      const fail = (err) => {
        state.bareErrors++;
        if (state.lastErrors.length < 5) state.lastErrors.push(String(err && err.message));
      };
      state.triggers = pollers.map((p) => () => {
        p.poll().catch(fail);
      });
      if (pollInterval > 0) {
        // As our node polls: the next poll is scheduled when the last one ends
        // (a setTimeout chain), the first shortly after the start.
        state.chains = true;
        pollers.forEach((p, i) => {
          const next = () => {
            if (!state.chains) return;
            state.timers[i] = setTimeout(() => {
              p.poll().catch(fail).finally(next);
            }, pollInterval * 1000);
          };
          // bare-spread: the first polls spread over the interval, as one node over all devices spreads them
          const first = side === 'bare-spread' ? 100 + Math.floor((pollInterval * 1000 * i) / pollers.length) : 100;
          state.timers[i] = setTimeout(() => p.poll().catch(fail).finally(next), first);
        });
      }
    } else {
      throw new Error(`unknown side ${side}`);
    }
    state.loaded = true;
    return { side, devices: devices.length, setupMs: Date.now() - t0, rssBeforeMiB: mib(rssBefore), heapBeforeMiB: mib(heapBefore), heapTotalBeforeMiB: mib(memBefore.heapTotal), externalBeforeMiB: mib(memBefore.external), arrayBuffersBeforeMiB: mib(memBefore.arrayBuffers), newSpaceBeforeMiB: mib(newSpaceBefore), rssAfterMiB: mib(gcRss()) };
  },

  /** Measure for `durationMs` while the side polls on its own timers. */
  async window({ durationMs }) {
    resetCounts();
    // RSS every 200 ms here (50 ms only where a peak matters: uploads, storms)
    const w = new Window({ rssEveryMs: 200 }).start();
    await sleep(durationMs);
    const figures = w.stop();
    figures.profile = await profileStop();
    const rssSettled = gcRss();
    const m = process.memoryUsage();
    return { ...figures, ...counts(), rssSettledMiB: mib(rssSettled), heapSettledMiB: mib(m.heapUsed), heapTotalSettledMiB: mib(m.heapTotal), newSpaceSettledMiB: mib(newSpaceBytes()), externalSettledMiB: mib(m.external), arrayBuffersSettledMiB: mib(m.arrayBuffers) };
  },

  /**
   * Trigger polls at `rate` per second, spread evenly over the devices
   * round-robin, for `durationMs`, measuring the window.
   */
  async drive({ rate, durationMs, tickMs = 5 }) {
    resetCounts();
    const n = state.triggers.length;
    if (!n) throw new Error('nothing to drive');
    const w = new Window({ rssEveryMs: 200 }).start();
    const start = Date.now();
    let fired = 0;
    let next = 0;
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        const elapsed = Date.now() - start;
        if (elapsed >= durationMs) {
          clearInterval(timer);
          resolve();
          return;
        }
        const due = Math.floor((elapsed * rate) / 1000);
        // Never more than one interval's worth at once (if the loop stalled, polls are dropped, not piled up).
        let burst = Math.min(due - fired, Math.ceil((rate * 4 * tickMs) / 1000) + 1);
        while (burst-- > 0) {
          state.triggers[next]();
          next = (next + 1) % n;
          fired++;
        }
        if (due > fired) fired = due;
      }, tickMs);
    });
    const figures = w.stop();
    figures.profile = await profileStop();
    return { ...figures, fired, ...counts() };
  },

  /** Trigger one poll of device `index` now. */
  async trigger({ index = 0 }) {
    state.triggers[index]();
    return true;
  },

  /**
   * Trigger one poll of device 0 and wait until `expect` messages with
   * msg.event === `event` arrived on the output; measures time and memory.
   */
  async storm({ event, expect, timeoutMs = 300_000 }) {
    resetCounts();
    const rss0 = gcRss();
    const heap0 = process.memoryUsage().heapUsed;
    const sampler = new RssSampler(50).start();
    let peakHeap = heap0;
    const heapTimer = setInterval(() => {
      const h = process.memoryUsage().heapUsed;
      if (h > peakHeap) peakHeap = h;
    }, 50);
    profileStart();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let tDone = 0;
    const done = new Promise((resolve) => {
      state.onOut = () => {
        if ((state.outByEvent[event] || 0) >= expect && !tDone) {
          tDone = performance.now();
          resolve();
        }
      };
      state.onError = () => undefined;
    });
    state.triggers[0]();
    let timedOut = false;
    await Promise.race([done, sleep(timeoutMs).then(() => (timedOut = true))]);
    const ms = (tDone || performance.now()) - t0;
    const cpu = process.cpuUsage(cpu0);
    sampler.stop();
    clearInterval(heapTimer);
    state.onOut = null;
    const profile = await profileStop();
    await sleep(200);
    return {
      profile,
      event,
      expect,
      got: state.outByEvent[event] || 0,
      timedOut,
      ms: round(ms, 1),
      cpuMs: round((cpu.user + cpu.system) / 1000, 1),
      rssStartMiB: mib(rss0),
      rssPeakMiB: mib(sampler.peak),
      rssGrowthMiB: mib(sampler.peak - rss0),
      heapPeakGrowthMiB: mib(peakHeap - heap0),
      rssAfterMiB: mib(gcRss()),
      ...counts(),
    };
  },

  /**
   * The alarm engine alone (src/client/alarm-sync.ts with our client), for
   * settings the node does not expose (detail-read concurrency): one first
   * full sync of the active alarms, timed, with RSS sampled every 50 ms.
   */
  async engineStorm({ port, concurrency, pageLimit, connections, timeoutMs = 600_000 }) {
    const { MediantClient } = require(path.join(ROOT, 'client'));
    const { AlarmSync } = require(path.join(ROOT, 'client', 'alarm-sync.js'));
    const clientOpts = { host: '127.0.0.1', port, protocol: 'http', username: nr.USER, password: nr.PASS, timeout: 30_000 };
    if (connections) clientOpts.connections = connections;
    const client = new MediantClient(clientOpts);
    const opts = { emitExisting: true };
    if (concurrency) opts.concurrency = concurrency;
    if (pageLimit) opts.pageLimit = pageLimit;
    const engine = new AlarmSync(client, 'active', opts);
    const rss0 = gcRss();
    const sampler = new RssSampler(50).start();
    profileStart();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    let r;
    try {
      r = await engine.poll(ac.signal);
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sampler.stop();
    const raised = r.events.filter((e) => e.event === 'raised').length;
    r = null;
    const profile = await profileStop();
    await client.close();
    return { profile, concurrency: concurrency || 'default', pageLimit: pageLimit || 'default', connections: connections || 'default', raised, ms: round(ms, 1), cpuMs: round((cpu.user + cpu.system) / 1000, 1), rssStartMiB: mib(rss0), rssGrowthMiB: mib(sampler.peak - rss0) };
  },

  /**
   * The bare undici floor of the storm (lib/bare.js bareStorm): the same list
   * and detail requests at the same concurrency, timed, RSS sampled.
   */
  async bareStorm({ port, concurrency, connections, pageLimit = 100, timeoutMs = 600_000 }) {
    const rss0 = gcRss();
    const sampler = new RssSampler(50).start();
    profileStart();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await bare.bareStorm({ port, concurrency, connections, pageLimit, timeoutMs });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sampler.stop();
    const profile = await profileStop();
    return { profile, concurrency, connections, pageLimit, raised: r.details, listed: r.listed, ms: round(ms, 1), cpuMs: round((cpu.user + cpu.system) / 1000, 1), rssStartMiB: mib(rss0), rssGrowthMiB: mib(sampler.peak - rss0) };
  },

  /**
   * Our client alone uploading `file` as a read stream with `chunkBytes`
   * reads (what the node does with msg.filename, but with another chunk
   * size), timed, with RSS sampled every 50 ms.
   */
  async clientUpload({ port, file, fileType = 'software', chunkBytes }) {
    const fs = require('node:fs');
    const { MediantClient } = require(path.join(ROOT, 'client'));
    const client = new MediantClient({ host: '127.0.0.1', port, protocol: 'http', username: nr.USER, password: nr.PASS, timeout: 30_000 });
    const rss0 = gcRss();
    const sampler = new RssSampler(50).start();
    const t0 = performance.now();
    let statusCode = 0;
    let error;
    try {
      statusCode = (await client.uploadFile(fileType, fs.createReadStream(file, { highWaterMark: chunkBytes }))).statusCode;
    } catch (err) {
      error = String(err && err.message);
    }
    const ms = performance.now() - t0;
    sampler.stop();
    await client.close();
    return { statusCode, error, chunkBytes, ms: round(ms, 1), rssGrowthMiB: mib(sampler.peak - rss0) };
  },

  /** Device + one flow node of `type` (e.g. mediant-status, mediant-upload-file) wired to `out`. */
  async setupSingle({ type, port, props = {}, extraDevice = {} }) {
    const flow = [
      nr.TAB,
      { id: 'out', type: 'helper', z: nr.TAB.id, x: 100, y: 100 },
      { id: 'errors', type: 'helper', z: nr.TAB.id, x: 100, y: 100 },
      { id: 'catcher', type: 'catch', z: nr.TAB.id, x: 100, y: 100, scope: null, uncaught: false, wires: [['errors']] },
      { id: 'dev0', type: 'mediant-device', name: 'bench', host: '127.0.0.1', port: String(port), protocol: 'http', timeout: '30000', ...extraDevice },
      { id: 'n0', type, z: nr.TAB.id, x: 100, y: 100, device: 'dev0', name: '', wires: [['out']], ...props },
    ];
    await nr.loadFlow([nr.ours('mediant-device'), nr.ours(type)], flow, { dev0: { username: nr.USER, password: nr.PASS } });
    wireHelpers();
    state.side = 'ours';
    return { rssMiB: mib(gcRss()) };
  },

  /** Send `msg` into node n0 and wait for its output (or error); time and RSS peak sampled every 50 ms. */
  async once({ msg = {}, timeoutMs = 600_000 }) {
    resetCounts();
    const rss0 = gcRss();
    const sampler = new RssSampler(50).start();
    profileStart();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let result = null;
    const done = new Promise((resolve) => {
      state.onOut = (m) => resolve({ statusCode: m.statusCode, payload: m.payload });
      state.onError = (m) => resolve({ error: String(m.error && m.error.message) });
    });
    nr.getNode('n0').receive(msg);
    result = await Promise.race([done, sleep(timeoutMs).then(() => ({ error: 'timed out' }))]);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sampler.stop();
    state.onOut = null;
    state.onError = null;
    const profile = await profileStop();
    return { ...result, profile, ms: round(ms, 1), cpuMs: round((cpu.user + cpu.system) / 1000, 1), rssStartMiB: mib(rss0), rssPeakMiB: mib(sampler.peak), rssGrowthMiB: mib(sampler.peak - rss0) };
  },

  /**
   * Round trips per second in a closed loop of `concurrency` chains for
   * `durationMs`: through node n0 (`via: node`), through our client alone
   * (`via: client`), or a bare undici request (`via: bare`).
   */
  async roundTrips({ via, port, durationMs, concurrency = 1 }) {
    resetCounts();
    let one;
    let closeFn = async () => undefined;
    if (via === 'bare') {
      const agent = bare.makeAgent();
      one = bare.bareStatus(agent, port);
      closeFn = () => agent.close();
    } else if (via === 'client') {
      const { MediantClient } = require(path.join(ROOT, 'client'));
      const client = new MediantClient({ host: '127.0.0.1', port, protocol: 'http', username: nr.USER, password: nr.PASS, timeout: 30_000 });
      one = () => client.getStatus();
      closeFn = () => client.close();
    } else if (via === 'node') {
      const node = nr.getNode('n0');
      const waiting = new Map();
      let seq = 0;
      state.onOut = (m) => {
        const r = waiting.get(m.benchSeq);
        if (r) {
          waiting.delete(m.benchSeq);
          r.resolve(m);
        }
      };
      state.onError = (m) => {
        const r = waiting.get(m.benchSeq);
        if (r) {
          waiting.delete(m.benchSeq);
          r.reject(new Error(String(m.error && m.error.message)));
        }
      };
      one = () =>
        new Promise((resolve, reject) => {
          const id = ++seq;
          waiting.set(id, { resolve, reject });
          node.receive({ benchSeq: id });
        });
      closeFn = async () => {
        state.onOut = null;
        state.onError = null;
      };
    } else {
      throw new Error(`unknown via ${via}`);
    }
    // warm up: connections open, code paths compiled
    for (let i = 0; i < 200; i++) await one();
    const w = new Window().start();
    const end = Date.now() + durationMs;
    let done = 0;
    let failed = 0;
    const chain = async () => {
      while (Date.now() < end) {
        try {
          await one();
          done++;
        } catch {
          failed++;
          if (failed > 100) return;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, chain));
    const figures = w.stop();
    figures.profile = await profileStop();
    await closeFn();
    return { via, concurrency, done, failed, perSecond: round((done * 1000) / figures.wallMs, 0), cpuPerCallUs: round((figures.cpuMs * 1000) / Math.max(1, done), 1), ...figures };
  },

  /**
   * The loopback floor: a closed loop of `concurrency` keep-alive undici
   * requests (GET the active alarm list, Basic auth, JSON parsed) spread over
   * `ports`, for `durationMs`.
   */
  async bareFlood({ ports, durationMs, concurrency = 16 }) {
    const agent = bare.makeAgent();
    const pollers = ports.map((p) => bare.barePoller(agent, p, 'active'));
    // first poll of each fetches the details; afterwards a poll is one list request
    for (const p of pollers) await p.poll();
    const w = new Window().start();
    const end = Date.now() + durationMs;
    let done = 0;
    let failed = 0;
    let next = 0;
    const chain = async () => {
      while (Date.now() < end && failed < 100) {
        const p = pollers[next];
        next = (next + 1) % pollers.length;
        try {
          // (not `done += await ...`: that reads `done` before the await and loses the other chains' counts)
          const n = await p.poll();
          done += n;
        } catch {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, chain));
    const figures = w.stop();
    figures.profile = await profileStop();
    await agent.close();
    return { done, failed, perSecond: round((done * 1000) / figures.wallMs, 0), ...figures };
  },

  async rss() {
    return { rssMiB: mib(gcRss()), heapUsedMiB: mib(process.memoryUsage().heapUsed) };
  },

  async teardown() {
    state.chains = false;
    for (const t of state.timers) clearTimeout(t);
    state.timers = [];
    if (state.agent) await state.agent.close().catch(() => undefined);
    if (state.loaded && !String(state.side).startsWith('bare')) await nr.unload().catch(() => undefined);
    state.loaded = false;
    return true;
  },
};

serve(handlers, { maxLifeMs: Number(process.env.BENCH_MAX_LIFE_MS) || 60 * 60 * 1000 });

'use strict';
/**
 * What the bench measures inside one process: event-loop delay, CPU time,
 * resident memory (sampled), and small statistics helpers.
 */
const { monitorEventLoopDelay, performance, PerformanceObserver, constants: perfConstants } = require('node:perf_hooks');
const fs = require('node:fs');
const path = require('node:path');

/**
 * CPU profiles of measurement windows only (not start-up), when the
 * orchestrator sets BENCH_PROFILE_DIR: the inspector's profiler runs from a
 * window's start to its stop and the profile is written as
 * `<BENCH_PROFILE_LABEL>-<n>.cpuprofile`.
 */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || '';
const PROFILE_LABEL = process.env.BENCH_PROFILE_LABEL || `pid${process.pid}`;
let profileSession = null;
let profileCount = 0;

function post(method, params) {
  return new Promise((resolve, reject) => profileSession.post(method, params || {}, (err, r) => (err ? reject(err) : resolve(r))));
}

function profileStart() {
  if (!PROFILE_DIR) return;
  if (!profileSession) {
    const inspector = require('node:inspector');
    profileSession = new inspector.Session();
    profileSession.connect();
  }
  // post() queues in order on the session; no need to wait for the answer here
  post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 200 })).then(() => post('Profiler.start'));
}

async function profileStop() {
  if (!PROFILE_DIR || !profileSession) return undefined;
  const { profile } = await post('Profiler.stop');
  fs.mkdirSync(PROFILE_DIR, { recursive: true });
  const file = path.join(PROFILE_DIR, `${PROFILE_LABEL}-${++profileCount}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  return file;
}

const NS_PER_MS = 1e6;

/** A window of measurement: event-loop delay histogram, CPU and RSS from start() to stop(). */
class Window {
  constructor({ resolutionMs = 10, rssEveryMs = 50 } = {}) {
    this.resolutionMs = resolutionMs;
    this.rssEveryMs = rssEveryMs;
    this.eld = null;
    this.cpu0 = null;
    this.t0 = 0;
    this.rss = null;
  }

  start() {
    if (global.gc) global.gc();
    this.eld = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.eld.enable();
    this.rss = new RssSampler(this.rssEveryMs).start();
    // GC pauses in the window: minor (scavenge) and major (mark-compact) apart
    this.gc = { minorCount: 0, minorMs: 0, majorCount: 0, majorMs: 0, maxMs: 0 };
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const major = e.detail && e.detail.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR;
        if (major) {
          this.gc.majorCount++;
          this.gc.majorMs += e.duration;
        } else {
          this.gc.minorCount++;
          this.gc.minorMs += e.duration;
        }
        if (e.duration > this.gc.maxMs) this.gc.maxMs = e.duration;
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    profileStart();
    this.cpu0 = process.cpuUsage();
    this.t0 = performance.now();
    return this;
  }

  late(ns) {
    return round(Math.max(0, ns / NS_PER_MS - this.resolutionMs), 2);
  }

  /** Figures of the window; the caller divides CPU by its own count of work done. */
  stop() {
    const wallMs = performance.now() - this.t0;
    const cpu = process.cpuUsage(this.cpu0);
    this.eld.disable();
    this.gcObserver.disconnect();
    const rss = this.rss.stop();
    const h = this.eld;
    const out = {
      wallMs: round(wallMs, 1),
      cpuMs: round((cpu.user + cpu.system) / 1000, 1),
      cpuUserMs: round(cpu.user / 1000, 1),
      cpuSystemMs: round(cpu.system / 1000, 1),
      cpuShare: round((cpu.user + cpu.system) / 1000 / wallMs, 3),
      // monitorEventLoopDelay records the time between two runs of its own
      // repeating timer of `resolution` ms (in ns); the delay is what exceeds
      // the resolution: how late the timer ran.
      eldP50Ms: this.late(h.percentile(50)),
      eldP99Ms: this.late(h.percentile(99)),
      eldMaxMs: this.late(h.max),
      eldMeanMs: this.late(h.mean),
      eldSamples: h.count,
      rssStartMiB: mib(rss.first),
      rssPeakMiB: mib(rss.peak),
      rssEndMiB: mib(rss.last),
      heapUsedMiB: mib(process.memoryUsage().heapUsed),
      gc: { minorCount: this.gc.minorCount, minorMs: round(this.gc.minorMs, 1), majorCount: this.gc.majorCount, majorMs: round(this.gc.majorMs, 1), maxMs: round(this.gc.maxMs, 1) },
    };
    return out;
  }
}

/** Samples process RSS every `everyMs` (default 50 ms) and keeps the peak. */
class RssSampler {
  constructor(everyMs = 50) {
    this.everyMs = everyMs;
    this.first = 0;
    this.peak = 0;
    this.last = 0;
    this.peakHeap = 0;
    this.samples = 0;
    this.timer = null;
  }

  sample() {
    const rss = process.memoryUsage.rss();
    if (!this.first) this.first = rss;
    if (rss > this.peak) this.peak = rss;
    this.last = rss;
    this.samples++;
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    return this;
  }
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function round(x, digits = 2) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function mib(bytes) {
  return round(bytes / 1048576, 1);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait until `pred()` is true, checking every `everyMs`, for at most `timeoutMs`. */
async function waitFor(pred, { timeoutMs = 30_000, everyMs = 20, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

module.exports = { profileStart, profileStop, Window, RssSampler, percentile, round, mib, sleep, waitFor };

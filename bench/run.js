#!/usr/bin/env node
'use strict';
/**
 * npm run bench [-- --quick] [-- --only=fleet,upload] [-- --profile]
 *
 * Runs the scenarios in bench/scenarios against simulators on 127.0.0.1,
 * prints a table (figure, measured, goal, ratio, pass/miss) and writes the
 * figures to bench/results/latest.json. Benchmarks, not tests: a missed goal
 * is reported, not failed; the exit code is non-zero only when a scenario
 * could not run. Every loop is bounded in count and time; the whole run has a
 * deadline after which it stops its children and exits.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createContext } = require('./lib/context');

const SCENARIOS = ['idle', 'fleet', 'upload', 'storm', 'headroom', 'overhead', 'failover', 'deploy'].map((n) => require(`./scenarios/${n}`));

function parseArgs(argv) {
  const o = { quick: false, profile: false, only: null, silent: false, json: path.join(__dirname, 'results', 'latest.json') };
  const num = (v, name) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    switch (k) {
      case 'quick': o.quick = true; break;
      case 'full': o.quick = false; break;
      case 'profile': o.profile = true; break;
      case 'silent': o.silent = true; break;
      case 'only': o.only = v.split(','); break;
      case 'json': o.json = path.resolve(v); break;
      case 'devices': o.devices = num(v, k); break;
      case 'interval': o.interval = num(v, k); break;
      case 'window': o.windowS = num(v, k); break;
      case 'sides': o.sides = v.split(','); break;
      case 'upload-mib': o.uploadMiB = num(v, k); break;
      case 'storm-alarms': o.stormAlarms = num(v, k); break;
      case 'slow-ms': o.slowMs = Number(v); break;
      case 'headroom-devices': o.headroomDevices = num(v, k); break;
      case 'deploy-devices': o.deployDevices = num(v, k); break;
      case 'help':
        process.stdout.write('usage: node bench/run.js [--quick] [--only=idle,fleet,upload,storm,headroom,overhead,failover,deploy|1,2,..] [--profile] [--devices=N --interval=S --window=S --sides=ours,baseline,bare] [--upload-mib=N] [--storm-alarms=N --slow-ms=N] [--headroom-devices=N] [--deploy-devices=N] [--json=FILE]\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (try --help)`);
    }
  }
  o.maxLifeMs = o.quick ? 15 * 60_000 : 90 * 60_000;
  return o;
}

function fmtRatio(r) {
  if (r === null || r === undefined) return '';
  return typeof r === 'number' ? `${r}` : String(r);
}

function table(rows) {
  const head = ['#', 'figure', 'measured', 'goal', 'ratio', 'result'];
  const body = rows.map((r) => [r.id, r.figure, r.value, r.goal, fmtRatio(r.ratio), r.pass === null ? '-' : r.pass ? 'pass' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  const out = [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)];
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.id}: ${r.note}`);
  return out.join('\n') + (notes.length ? '\n\nnotes:\n' + notes.join('\n') : '') + '\n';
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const chosen = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name) || opts.only.includes(String(s.id)));
  if (!chosen.length) throw new Error(`no scenario matches --only=${opts.only}`);
  const ctx = createContext(opts);
  const started = new Date();
  const deadline = setTimeout(async () => {
    process.stderr.write(`bench: deadline of ${opts.maxLifeMs / 60000} min reached, stopping\n`);
    await ctx.stopAll();
    process.exit(2);
  }, opts.maxLifeMs);
  deadline.unref();
  const stop = async () => {
    await ctx.stopAll();
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stderr.write(`bench: ${opts.quick ? 'quick' : 'full'} mode, ${chosen.map((s) => s.name).join(', ')}\n`);
  const results = { started: started.toISOString(), mode: opts.quick ? 'quick' : 'full', machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0] && os.cpus()[0].model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg() }, rows: [], scenarios: {} };
  let failed = 0;
  for (const s of chosen) {
    const t0 = Date.now();
    process.stderr.write(`bench: ${s.id}. ${s.name}\n`);
    try {
      const r = await s.run(ctx);
      results.rows.push(...r.rows);
      results.scenarios[s.name] = { ms: Date.now() - t0, ...r.data };
    } catch (err) {
      failed++;
      process.stderr.write(`bench: ${s.name} could not run: ${err && err.stack ? err.stack : err}\n`);
      results.rows.push({ id: `${s.id}`, figure: `${s.name}: could not run`, value: String(err && err.message).split('\n')[0].slice(0, 120), goal: '', ratio: null, pass: false, note: '' });
      results.scenarios[s.name] = { ms: Date.now() - t0, error: String(err && err.stack ? err.stack : err) };
      await ctx.stopAll();
    }
  }
  results.finished = new Date().toISOString();
  results.machine.loadavgAfter = os.loadavg();
  fs.mkdirSync(path.dirname(opts.json), { recursive: true });
  fs.writeFileSync(opts.json, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write('\n' + table(results.rows));
  process.stdout.write(`\n${results.mode} mode, ${Math.round((Date.parse(results.finished) - started.getTime()) / 1000)} s; figures in ${path.relative(process.cwd(), opts.json)}\n`);
  await ctx.stopAll();
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});

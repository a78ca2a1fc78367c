#!/usr/bin/env node
'use strict';
/**
 * node bench/prof-summary.js bench/results/prof/fleet-ours.cpuprofile [--top=25]
 *
 * Summarises a V8 CPU profile (written by `npm run bench -- --profile`): the
 * functions with the most self time, and self time by file, so a hot spot
 * can be named without opening DevTools.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function shorten(url) {
  if (!url) return '(native)';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(ROOT)) u = u.slice(ROOT.length + 1);
  return u.replace(/^node_modules\//, 'nm/');
}

function summarise(file, top) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    self.set(id, (self.get(id) || 0) + (dt[i] || 0));
  }
  const all = [...self.values()].reduce((a, b) => a + b, 0);
  let idle = 0;
  for (const [id, us] of self) if (byId.get(id).callFrame.functionName === '(idle)') idle += us;
  // Percentages are of the busy time (idle left out): what the CPU did.
  const total = all - idle;
  const fn = new Map();
  const files = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') continue;
    const key = `${cf.functionName || '(anonymous)'} ${shorten(cf.url)}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) || 0) + us);
    const f = cf.url ? shorten(cf.url) : cf.functionName || '(native)';
    files.set(f, (files.get(f) || 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} % ${(us / 1000).toFixed(0).padStart(6)} ms`;
  const out = [`${path.basename(file)}: ${(all / 1000).toFixed(0)} ms sampled, ${(total / 1000).toFixed(0)} ms busy`, '', 'self time by function (share of busy time):'];
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(us)}  ${k}`);
  out.push('', 'self time by file:');
  for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${pct(us)}  ${k}`);
  return out.join('\n');
}

const args = process.argv.slice(2);
const topArg = args.find((a) => a.startsWith('--top='));
const top = topArg ? Number(topArg.split('=')[1]) : 25;
const files = args.filter((a) => !a.startsWith('--'));
if (!files.length) {
  process.stderr.write('usage: node bench/prof-summary.js FILE.cpuprofile [...] [--top=N]\n');
  process.exit(1);
}
for (const f of files) process.stdout.write(summarise(f, top) + '\n\n');

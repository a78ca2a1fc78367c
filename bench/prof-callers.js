'use strict';
/**
 * node bench/prof-callers.js FILE.cpuprofile FUNCTION [depth]
 * Who calls FUNCTION (self time of FUNCTION by call stack), to trace a hot
 * spot in a profile written with --profile.
 */
const fs = require('node:fs');

const [file, name, depthArg] = process.argv.slice(2);
if (!file || !name) {
  process.stderr.write('usage: node bench/prof-callers.js FILE.cpuprofile FUNCTION [depth]\n');
  process.exit(1);
}
const depth = Number(depthArg) || 8;
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const self = new Map();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) || 0) + (p.timeDeltas[i] || 0));
const stacks = new Map();
for (const n of p.nodes) {
  if (n.callFrame.functionName !== name) continue;
  const chain = [];
  let id = n.id;
  for (let i = 0; i < depth && id; i++) {
    const x = byId.get(id);
    const cf = x.callFrame;
    chain.push(`${cf.functionName || '(anon)'} ${cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '')}:${cf.lineNumber + 1}`);
    id = parent.get(id);
  }
  const k = chain.join('\n    <- ');
  stacks.set(k, (stacks.get(k) || 0) + (self.get(n.id) || 0));
}
for (const [k, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 6)) process.stdout.write(`${(us / 1000).toFixed(0)} ms\n    ${k}\n\n`);

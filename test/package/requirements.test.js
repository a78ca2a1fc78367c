'use strict';
// The Requirements a user reads (README, package.json engines and node-red.version)
// say what `npm run test:compat` measures (test/compat/targets.js), and no Node.js
// that a dependency refuses.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { TARGETS, SYSTEM_NODE_MAJOR } = require('../compat/targets');

const ROOT = path.resolve(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** `>=1.2.3` (or `>=1.2`, `>=1`) as [1, 2, 3]; anything else is not a plain floor. */
function floorOf(range, what) {
  const m = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(range).trim());
  assert.ok(m, `${what}: "${range}" is not a plain ">=x.y.z" floor (teach test/package/requirements.test.js)`);
  return [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)];
}
const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const str = (v) => v.join('.');

/** The rows of the Requirements table: Node-RED cell -> Node.js cell. */
function requirementsRows() {
  const start = README.indexOf('**Requirements**');
  assert.ok(start >= 0, 'the README has no **Requirements** paragraph');
  const section = README.slice(start, README.indexOf('\n## ', start));
  const rows = [...section.matchAll(/^\|\s*(\d+\.\d+\.\d+)[^|]*\|([^|]*)\|\s*$/gm)].map((m) => ({ nodeRed: m[1], node: m[2] }));
  assert.ok(rows.length, `no Node-RED | Node.js table in the Requirements paragraph:\n${section}`);
  return { section, rows };
}

describe('Requirements: what the README and package.json claim is what test:compat runs', function () {
  it('engines.node admits no Node.js that a runtime dependency refuses (npm would warn EBADENGINE)', function () {
    const ours = floorOf(PKG.engines.node, 'package.json engines.node');
    const refusing = Object.entries(LOCK.packages)
      .filter(([p, meta]) => p.startsWith('node_modules/') && !meta.dev && meta.engines && meta.engines.node)
      .map(([p, meta]) => ({ name: p.replace(/^.*node_modules\//, ''), floor: floorOf(meta.engines.node, p) }))
      .filter((d) => cmp(d.floor, ours) > 0)
      .map((d) => `${d.name} needs ${str(d.floor)}`);
    assert.deepStrictEqual(refusing, [], `engines.node is ${PKG.engines.node}, but`);
  });

  it('the oldest Node.js of engines.node and the oldest Node-RED of node-red.version are measured', function () {
    const nodeFloor = str(floorOf(PKG.engines.node, 'engines.node'));
    assert.ok(TARGETS.some((t) => t.node === nodeFloor), `no test:compat target runs on Node.js ${nodeFloor} (test/compat/targets.js)`);
    const redFloor = str(floorOf(PKG['node-red'].version, 'node-red.version'));
    assert.ok(TARGETS.some((t) => t.nodeRed === redFloor), `no test:compat target runs Node-RED ${redFloor}`);
    assert.strictEqual(Number(nodeFloor.split('.')[0]), SYSTEM_NODE_MAJOR, 'the Node.js floor is of the major the machine runs the other targets on');
  });

  it("the README's Requirements table lists exactly the measured Node-RED versions, each with its Node.js", function () {
    const { section, rows } = requirementsRows();
    const claimed = [...new Set(rows.map((r) => r.nodeRed))].sort();
    const measured = [...new Set(TARGETS.map((t) => t.nodeRed))].sort();
    assert.deepStrictEqual(claimed, measured, 'Node-RED versions in the README table vs test/compat/targets.js');
    for (const t of TARGETS) {
      const row = rows.find((r) => r.nodeRed === t.nodeRed);
      const want = t.node || `${SYSTEM_NODE_MAJOR}.`;
      assert.ok(row.node.includes(want), `the README row of Node-RED ${t.nodeRed} names no Node.js ${want}: "${row.node.trim()}"`);
    }
    assert.ok(section.includes(`${str(floorOf(PKG.engines.node, 'engines.node'))} or`), 'the Requirements paragraph names the Node.js floor of engines.node');
    assert.ok(section.includes('npm run test:compat'), 'the Requirements paragraph says how it is measured');
  });
});

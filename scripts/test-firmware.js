#!/usr/bin/env node
'use strict';
/**
 * `npm run test:firmware`: the client and node suites once more against each
 * firmware profile the plain `npm test` does not give them (7.2 and 7.4; or
 * the ones named: `npm run test:firmware -- 7.4`), through MEDIANT_FIRMWARE
 * (test/helpers/sim.js). `npm test` already runs what differs between the
 * firmware versions against all three (test/client/firmware.test.js,
 * test/nodes/firmware.test.js and the 7.4 suites); this run shows that
 * nothing else depends on 7.0. Run by .ci/run; build first (`npm run build`).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const asked = process.argv.slice(2);
const firmwares = asked.length ? asked : ['7.2', '7.4'];
let failed = 0;
for (const firmware of firmwares) {
  process.stdout.write(`\n== client and node suites against firmware ${firmware}\n`);
  const r = spawnSync(process.execPath, [require.resolve('mocha/bin/mocha.js'), '--config', 'test/firmware.mocharc.json'], {
    cwd: ROOT,
    env: { ...process.env, MEDIANT_FIRMWARE: firmware },
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`== firmware ${firmware}: FAILED (exit ${r.status ?? r.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);

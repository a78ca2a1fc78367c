'use strict';
// Shared test helper: a simulator on 127.0.0.1, any free port, quick reboots.
const { startSimulator } = require('../../simulator');
const { PROFILES } = require('../../simulator/profiles');

const ALL_FIRMWARES = Object.freeze(['7.0', '7.2', '7.4']);

/**
 * The firmware the client and node suites run against (test/client/_common.js
 * and test/helpers/mediant-flow.js start their simulators with it):
 * MEDIANT_FIRMWARE (7.0, 7.2 or 7.4), else 7.0, the 2015 document they were
 * first written for. `MEDIANT_FIRMWARE=7.4 npx mocha test/client test/nodes`
 * runs them all against 7.4; what differs by firmware reads profileOf(),
 * hasFeature() and uploadTypeOf(). The other suites (simulator, alarms,
 * examples) pin the firmware they assert.
 */
const FIRMWARE = (() => {
  const v = process.env.MEDIANT_FIRMWARE;
  if (v === undefined || v === '') return '7.0';
  if (!ALL_FIRMWARES.includes(v)) throw new Error(`MEDIANT_FIRMWARE must be one of ${ALL_FIRMWARES.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
})();

/**
 * The firmwares a suite of what differs between them runs against, one
 * `describe` each: all three in a plain `npm test`, only MEDIANT_FIRMWARE
 * where it is set (that run covers the rest already).
 */
const FIRMWARES = Object.freeze(process.env.MEDIANT_FIRMWARE ? [FIRMWARE] : [...ALL_FIRMWARES]);

/** What the simulator's profile for `firmware` answers (texts, shapes), for expectations that differ by firmware. */
function profileOf(firmware = FIRMWARE) {
  return PROFILES[firmware];
}

/** Whether the simulator's `firmware` offers a resource (kpi, sipTestCall, performanceMonitoring, authToken, ...). */
function hasFeature(feature, firmware = FIRMWARE) {
  return PROFILES[firmware].features.has(feature);
}

/**
 * The content type the client sends uploads with by default ('auto') to a
 * device of `firmware`: the raw file to 7.0 (the 2015 document), multipart
 * to 7.2 and later (the vendor's 7.x pages). An expectation of the client,
 * written here once for the suites.
 */
function uploadTypeOf(firmware = FIRMWARE) {
  return firmware === '7.0' ? 'application/octet-stream' : 'multipart/form-data';
}

/**
 * Start a simulator: {port: 0, host: '127.0.0.1', bootTimeMs: 300, firmware: '7.0', ...opts}.
 * Close it with `sim.close()`. Firmware 7.0 (the 2015 document) is pinned here because the
 * suites written before the firmware profiles assert its behaviour; a test of 7.x behaviour
 * passes `firmware: '7.2'` or `'7.4'` (the simulator's own default is 7.4), and the client
 * and node suites pass FIRMWARE.
 */
function startSim(opts) {
  return startSimulator({ port: 0, host: '127.0.0.1', bootTimeMs: 300, firmware: '7.0', ...opts });
}

/** Run `fn(sim)` against a fresh simulator and close it afterwards, whatever happens. */
async function withSim(opts, fn) {
  const sim = await startSim(opts);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

/** Every fault of the simulator switched off (the SimFaults keys, as a fresh simulator has them). */
const NO_FAULTS = Object.freeze({ down: false, slowMs: 0, haSync: false, malformedJson: false, htmlError: false, dropConnection: false, hugeBodyBytes: 0 });

/**
 * Put a simulator a test may have disturbed back as it started: every fault
 * off (first: a device left `down` would never come up), HA mode off, no KPI
 * pinned, test call destinations as they were (7.4), and up again after any
 * reboot. Alarms, configuration and the request log stay.
 */
async function resetSim(sim) {
  sim.control.setFaults(NO_FAULTS);
  sim.control.setHaMode(false);
  sim.control.clearKpiValues();
  sim.control.resetTestCallDestinations();
  await sim.control.waitUntilUp();
}

module.exports = { startSim, withSim, resetSim, NO_FAULTS, FIRMWARE, FIRMWARES, ALL_FIRMWARES, profileOf, hasFeature, uploadTypeOf };

'use strict';
// Shared test helper: a simulator on 127.0.0.1, any free port, quick reboots.
const { startSimulator } = require('../../simulator');

/**
 * Start a simulator: {port: 0, host: '127.0.0.1', bootTimeMs: 300, firmware: '7.0', ...opts}.
 * Close it with `sim.close()`. Firmware 7.0 (the 2015 document) is pinned here because the
 * suites written before the firmware profiles assert its behaviour; a test of 7.x behaviour
 * passes `firmware: '7.2'` or `'7.4'` (the simulator's own default is 7.4).
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

module.exports = { startSim, withSim, resetSim, NO_FAULTS };

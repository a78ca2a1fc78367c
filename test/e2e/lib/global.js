'use strict';
// Mocha global fixtures for the e2e run: whatever a suite started and did not stop
// (a failing `after` hook, an aborted run) is stopped here, and the temporary
// install is removed, so nothing outlives the run.
const { cleanupAll } = require('./procs');

exports.mochaGlobalTeardown = async function () {
  await cleanupAll();
};

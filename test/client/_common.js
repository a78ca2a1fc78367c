'use strict';
// Shared by the client tests: a simulator with known users, a client for it,
// and one assertion for failures that also checks no credential leaked.
const util = require('node:util');
const should = require('should');
const { startSim, resetSim, FIRMWARE } = require('../helpers/sim');
// a port nothing listens on: connections to it are refused
const { freePort: closedPort } = require('../helpers/net');
const { MediantClient, MediantError } = require('../../client');

/** Distinctive passwords, so a leak into any message is visible. */
const ADMIN_PASSWORD = 'Adm1n-Pa55-x9q';
const MONITOR_PASSWORD = 'M0nit0r-Pa55-k7w';
const USERS = [
  { username: 'Admin', password: ADMIN_PASSWORD, privilege: 'securityAdmin' },
  { username: 'Operator', password: 'Op3r-Pa55-z2v', privilege: 'admin' },
  { username: 'Monitor', password: MONITOR_PASSWORD, privilege: 'monitor' },
];
const SECRETS = [ADMIN_PASSWORD, MONITOR_PASSWORD, 'Op3r-Pa55-z2v', 'Wr0ng-Pa55-q1'];

/** A simulator with USERS, playing FIRMWARE (MEDIANT_FIRMWARE, else 7.0) unless `opts` names one. */
function simulator(opts) {
  return startSim(Object.assign({ users: USERS, bootTimeMs: 150, firmware: FIRMWARE }, opts));
}

function clientFor(sim, extra) {
  return new MediantClient(
    Object.assign(
      { host: sim.host, port: sim.port, protocol: sim.protocol, username: 'Admin', password: ADMIN_PASSWORD },
      sim.protocol === 'https' ? { tls: { ca: sim.certificate } } : {},
      extra,
    ),
  );
}

/**
 * The mocha hooks the simulator-backed client tests share, registered in the
 * calling `describe`: before all, a simulator (`simulator(simOptions)`) and a
 * client for it; after each test, the simulator put back as it started
 * (resetSim: faults and HA mode off, up again); after all, both closed.
 * Returns `{ sim, client }`, filled in before the first test.
 */
function useSimClient(simOptions) {
  const env = { sim: undefined, client: undefined };
  before(async function () {
    env.sim = await simulator(simOptions);
    env.client = clientFor(env.sim);
  });
  after(async function () {
    if (env.client) await env.client.destroy();
    if (env.sim) await env.sim.close();
  });
  afterEach(async function () {
    await resetSim(env.sim);
  });
  return env;
}

/** No secret and no Basic header in anything a user could see of an error. */
function assertNoCredentials(err) {
  const views = [String(err && err.message), String(err && err.stack), util.inspect(err, { depth: 5 }), JSON.stringify(err)];
  for (const v of views) {
    v.should.not.containEql('Basic ');
    for (const s of SECRETS) v.should.not.containEql(s);
    for (const s of SECRETS) v.should.not.containEql(Buffer.from(`Admin:${s}`).toString('base64'));
  }
}

/** Awaits a rejection and checks it is a MediantError with that code. */
async function failsWith(promise, code) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  should.exist(err, `expected a rejection with ${code}`);
  err.should.be.instanceOf(MediantError);
  err.code.should.equal(code);
  assertNoCredentials(err);
  return err;
}

/** Requests the simulator received under /api (the control API is not counted). */
function apiLog(sim) {
  return sim.control.log().filter((e) => e.path.startsWith('/api'));
}

/**
 * The /api log once the entry for `path` is in it (the simulator logs a
 * request when its connection side closes, a moment after the answer).
 */
async function settledLog(sim, path) {
  for (let i = 0; i < 200; i++) {
    const entries = apiLog(sim);
    if (entries.some((e) => e.path === path)) return entries;
    await new Promise((r) => setTimeout(r, 5));
  }
  return apiLog(sim);
}

module.exports = { settledLog, simulator, clientFor, useSimClient, failsWith, assertNoCredentials, closedPort, apiLog, ADMIN_PASSWORD, MONITOR_PASSWORD, USERS };

'use strict';
// Least privilege: on firmware 7.4 a Monitor reads, an Administrator acts, a
// Security Administrator writes licenses and makes tokens; a 403 names the
// level the operation needs (the device's text does not); getAccess finds
// out what an account can do without changing anything on the device.
const should = require('should');
const { privilegeFor, privilegeHint } = require('../../client');
const { useSimClient, clientFor, failsWith, settledLog, MONITOR_PASSWORD } = require('./_common');
const { FIRMWARES } = require('../helpers/sim');

const OPERATOR_PASSWORD = 'Op3r-Pa55-z2v';
const ADMIN_HINT = 'this needs a user of level Administrator or higher on firmware 7.4 and later, a Security Administrator on 7.0 and 7.2';
const SEC_HINT = 'this needs a Security Administrator user';

describe('client: least privilege on firmware 7.4', function () {
  const env = useSimClient({ firmware: '7.4' });
  const as = (username, password) => clientFor(env.sim, { username, password });

  it('a Monitor reads status, alarms, KPIs and test calls; everything else is a 403 that names the level it needs', async function () {
    const monitor = as('Monitor', MONITOR_PASSWORD);
    try {
      (await monitor.getStatus()).statusCode.should.equal(200);
      await monitor.getAlarmPage('active');
      await monitor.getKpiCurrent('system/memoryStats/global');
      await monitor.showTestCall();
      const reset = await failsWith(monitor.reset(), 'EHTTP');
      reset.statusCode.should.equal(403);
      reset.message.should.equal(`reset failed: 403 Forbidden: access denied for this user level — ${ADMIN_HINT}`);
      reset.hint.should.equal(ADMIN_HINT);
      (await failsWith(monitor.uploadFile('dialplan', 'x'), 'EHTTP')).message.should.endWith(ADMIN_HINT);
      (await failsWith(monitor.downloadFile('ini'), 'EHTTP')).message.should.endWith(ADMIN_HINT);
      (await failsWith(monitor.getLicense(), 'EHTTP')).message.should.endWith(ADMIN_HINT);
      (await failsWith(monitor.request({ method: 'GET', path: '/files' }), 'EHTTP')).message.should.endWith(ADMIN_HINT);
      (await failsWith(monitor.putLicense({ licenseVersion: 1, key: 'AAAAAAAAAAAA' }), 'EHTTP')).message.should.endWith(SEC_HINT);
    } finally {
      await monitor.destroy();
    }
  });

  it('an Administrator acts and reads the license; license writes and tokens need a Security Administrator', async function () {
    const operator = as('Operator', OPERATOR_PASSWORD);
    try {
      await operator.saveConfiguration();
      await operator.getLicense();
      const put = await failsWith(operator.putLicense({ licenseVersion: 1, key: 'AAAAAAAAAAAA' }), 'EHTTP');
      put.message.should.equal(`put license failed: 403 Forbidden: access denied for this user level — ${SEC_HINT}`);
      (await failsWith(operator.createAuthToken({ username: 'x', privLevel: 'monitor' }), 'EHTTP')).message.should.endWith(SEC_HINT);
    } finally {
      await operator.destroy();
    }
  });

  it('getAccess: read only, actions, security — with reads and a refused empty token request only', async function () {
    const before = env.sim.control.state();
    const cases = [
      ['Monitor', MONITOR_PASSWORD, 'monitor', ['GET /api/v1/status 200', 'GET /api/v1/actions 403']],
      ['Operator', OPERATOR_PASSWORD, 'admin', ['GET /api/v1/status 200', 'GET /api/v1/actions 200', 'POST /api/v1/actions/authToken 403']],
      ['Admin', undefined, 'securityAdmin', ['GET /api/v1/status 200', 'GET /api/v1/actions 200', 'POST /api/v1/actions/authToken 400']],
    ];
    for (const [username, password, level, requests] of cases) {
      const c = password ? as(username, password) : env.client;
      try {
        env.sim.control.clearLog();
        const r = await c.getAccess();
        r.body.should.eql({ level, complete: true });
        const log = await settledLog(env.sim, requests.at(-1).split(' ')[1]);
        log.map((e) => `${e.method} ${e.path} ${e.status}`).should.eql(requests);
      } finally {
        if (password) await c.destroy();
      }
    }
    const after = env.sim.control.state();
    after.should.containDeep({ bootCount: before.bootCount, unsaved: before.unsaved, license: before.license });
    after.uploads.length.should.equal(before.uploads.length);
  });
});

describe('client: least privilege on firmware 7.0 and 7.2', function () {
  for (const firmware of FIRMWARES.filter((f) => f !== '7.4')) {
    describe(`firmware ${firmware}`, function () {
      const env = useSimClient({ firmware });

      it('a Security Administrator can do everything; a Monitor gets a 403 that names the levels', async function () {
        (await env.client.getAccess()).body.should.eql({ level: 'securityAdmin', complete: true });
        const monitor = clientFor(env.sim, { username: 'Monitor', password: MONITOR_PASSWORD });
        try {
          const err = await failsWith(monitor.getStatus(), 'EHTTP');
          err.message.should.equal('status failed: 403 Forbidden: the REST API needs a user with the Security Administrator privilege — this needs a user of level Monitor or higher on firmware 7.4 and later, a Security Administrator on 7.0 and 7.2');
          (await failsWith(monitor.getAccess(), 'EHTTP')).statusCode.should.equal(403);
        } finally {
          await monitor.destroy();
        }
      });
    });
  }
});

describe('client: the privilege table', function () {
  it('names the lowest level per method and path', function () {
    const cases = [
      ['GET', '/api', 'monitor'],
      ['GET', '/api/v1', 'monitor'],
      ['GET', '/api/v1/status', 'monitor'],
      ['GET', '/api/v1/alarms/active?limit=5', 'monitor'],
      ['GET', '/api/v1/kpi/current/sbc/callStats/global', 'monitor'],
      ['POST', '/api/v1/sipTestCall/dial', 'monitor'],
      ['DELETE', '/api/v1/sipTestCall/drop?sessionId=1', 'monitor'],
      ['GET', '/api/v1/actions', 'admin'],
      ['POST', '/api/v1/actions/reset', 'admin'],
      ['PUT', '/api/v1/files/cliScript/incremental', 'admin'],
      ['GET', '/api/v1/files/ini', 'admin'],
      ['GET', '/api/v1/license', 'admin'],
      ['PUT', '/api/v1/license', 'securityAdmin'],
      ['POST', '/api/v1/actions/authToken', 'securityAdmin'],
      ['GET', '/api/v1/performanceMonitoring', 'securityAdmin'],
      ['GET', '/api/v1/statusx', 'securityAdmin'],
      ['GET', '/api/v1/kpix', 'securityAdmin'],
    ];
    for (const [method, path, level] of cases) should(privilegeFor(method, path)).equal(level, `${method} ${path}`);
    privilegeHint('GET', '/api/v1/status').should.equal('this needs a user of level Monitor or higher on firmware 7.4 and later, a Security Administrator on 7.0 and 7.2');
  });
});

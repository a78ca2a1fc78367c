'use strict';
require('should');
const { simPerSuite, api, basic } = require('./_util');

describe('simulator: navigation and section 11 status codes', function () {
  const env = simPerSuite();

  it('GET /api lists the v1 version', async () => {
    const r = await api(env.sim, 'GET', '/api');
    r.status.should.equal(200);
    r.headers['content-type'].should.equal('application/json');
    r.json.should.deepEqual({ versions: [{ id: 'v1', status: 'stable', url: '/api/v1' }] });
  });

  it('GET /api/v1 lists the navigation tree, alarms at /api/v1/alarms (not the doc typo)', async () => {
    const r = await api(env.sim, 'GET', '/api/v1');
    r.status.should.equal(200);
    const byId = Object.fromEntries(r.json.items.map((i) => [i.id, i.url]));
    byId.should.deepEqual({
      actions: '/api/v1/actions',
      alarms: '/api/v1/alarms',
      files: '/api/v1/files',
      license: '/api/v1/license',
      performanceMonitoring: '/api/v1/performanceMonitoring',
      status: '/api/v1/status',
    });
    // every listed url answers
    for (const url of Object.values(byId)) (await api(env.sim, 'GET', url)).status.should.equal(200);
  });

  it('GET /api/v1/actions lists reset and saveConfiguration', async () => {
    const r = await api(env.sim, 'GET', '/api/v1/actions');
    r.json.actions.map((a) => a.url).should.deepEqual(['/api/v1/actions/reset', '/api/v1/actions/saveConfiguration']);
  });

  it('GET /api/v1/files lists every file type', async () => {
    const r = await api(env.sim, 'GET', '/api/v1/files');
    r.json.files
      .map((f) => f.id)
      .sort()
      .should.deepEqual(
        ['ini', 'ini/incremental', 'cliScript', 'cliScript/incremental', 'software', 'software/hitless', 'amd', 'castable', 'codertable', 'cpt', 'dialplan', 'prt', 'voiceprompts'].sort(),
      );
    for (const f of r.json.files) f.url.should.equal(`/api/v1/files/${f.id}`);
  });

  it('GET /api/v1/alarms lists active and history', async () => {
    const r = await api(env.sim, 'GET', '/api/v1/alarms');
    r.json.alarms.map((a) => a.url).should.deepEqual(['/api/v1/alarms/active', '/api/v1/alarms/history']);
  });

  it('401 without credentials, with WWW-Authenticate and a JSON description', async () => {
    const r = await api(env.sim, 'GET', '/api/v1/status', { auth: null });
    r.status.should.equal(401);
    r.headers['www-authenticate'].should.match(/^Basic realm=/);
    r.json.description.should.be.a.String();
  });

  it('401 with a wrong password or a malformed header, and never echoes the credentials', async () => {
    const r = await api(env.sim, 'GET', '/api/v1/status', { auth: basic('Admin', 'secret-wrong') });
    r.status.should.equal(401);
    r.text.should.not.containEql('secret-wrong');
    (await api(env.sim, 'GET', '/api/v1/status', { auth: 'Bearer abc' })).status.should.equal(401);
    (await api(env.sim, 'GET', '/api/v1/status', { auth: 'Basic !!!' })).status.should.equal(401);
  });

  it('403 for a user below Security Administrator (Monitor/Monitor) on an existing URL', async () => {
    const r = await api(env.sim, 'GET', '/api/v1/status', { auth: basic('Monitor', 'Monitor') });
    r.status.should.equal(403);
    r.json.description.should.match(/Security Administrator/);
  });

  it('404 for an unknown URL, the doc-typo PM path included', async () => {
    for (const p of ['/api/v2', '/api/v1/nothing', '/api/v1/files/unknown', '/api/v1/alarms/performanceMonitoring/netUtilPackets', '/']) {
      const r = await api(env.sim, 'GET', p);
      r.status.should.equal(404, p);
      r.json.should.have.property('description');
    }
  });

  it('405 for a wrong method, with Allow', async () => {
    let r = await api(env.sim, 'DELETE', '/api/v1/status');
    r.status.should.equal(405);
    r.headers.allow.should.equal('GET');
    r = await api(env.sim, 'GET', '/api/v1/actions/reset');
    r.status.should.equal(405);
    r.headers.allow.should.equal('POST');
    r = await api(env.sim, 'GET', '/api/v1/files/software');
    r.status.should.equal(405);
    r.headers.allow.should.equal('PUT');
    r = await api(env.sim, 'POST', '/api/v1/license');
    r.headers.allow.should.equal('GET, PUT');
  });

  it('406 when Accept excludes what the resource serves; */* and absent are fine', async () => {
    let r = await api(env.sim, 'GET', '/api/v1/status', { headers: { accept: 'text/html' } });
    r.status.should.equal(406);
    r = await api(env.sim, 'GET', '/api/v1/status', { headers: { accept: 'application/json;q=0, text/plain' } });
    r.status.should.equal(406);
    for (const accept of ['*/*', 'application/json', 'application/*', 'text/html, application/json;q=0.5']) {
      (await api(env.sim, 'GET', '/api/v1/status', { headers: { accept } })).status.should.equal(200, accept);
    }
    // downloads are octet-stream
    (await api(env.sim, 'GET', '/api/v1/files/ini', { headers: { accept: 'application/json' } })).status.should.equal(406);
    const d = await api(env.sim, 'GET', '/api/v1/files/ini', { headers: { accept: 'application/octet-stream' } });
    d.status.should.equal(200);
    d.headers['content-type'].should.equal('application/octet-stream');
  });

  it('serves a trailing slash like the path without it', async () => {
    (await api(env.sim, 'GET', '/api/v1/')).status.should.equal(200);
  });
});

'use strict';
// 7.4's administrative additions: POST /actions/authToken, /files/tls, the debug file.
require('should');
const zlib = require('node:zlib');
const { makeSelfSignedCertificate } = require('../../simulator');
const { simPerTest, api, basic, jsonBody, octet, multipartFile, until, FIRMWARES } = require('./_util');

const OPERATOR = basic('Operator', 'Operator');
const MONITOR = basic('Monitor', 'Monitor');

/** The names of the files in a ustar archive. */
function tarNames(tar) {
  const names = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    names.push(h.subarray(0, 100).toString('ascii').replace(/\0.*$/s, ''));
    const size = parseInt(h.subarray(124, 136).toString('ascii'), 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe('simulator: 7.4 auth token, TLS files, debug file', function () {
  describe('POST /actions/authToken', () => {
    const env = simPerTest({ firmware: '7.4' });

    it('hands out a Web single sign-on token to a Security Administrator', async () => {
      const r = await api(env.sim, 'POST', '/api/v1/actions/authToken', jsonBody({ username: 'noc', privLevel: 'monitor', sessionTimeout: 600, crossHost: 'portal.example' }));
      r.status.should.equal(200);
      r.json.authToken.should.match(/^[0-9a-f]{64}$/);
      r.json.description.should.equal('Authentication token successfully generated');
      const again = await api(env.sim, 'POST', '/api/v1/actions/authToken', jsonBody({ username: 'noc', privLevel: 'admin' }));
      again.json.authToken.should.not.equal(r.json.authToken);
    });

    it('only to a Security Administrator: an Administrator and a Monitor get 403', async () => {
      for (const auth of [OPERATOR, MONITOR]) {
        (await api(env.sim, 'POST', '/api/v1/actions/authToken', { ...jsonBody({ username: 'noc', privLevel: 'monitor' }), auth })).status.should.equal(403);
      }
    });

    it('checks its body (400), and takes POST only (405)', async () => {
      for (const body of [{}, { username: 'noc' }, { username: '', privLevel: 'admin' }, { username: 'noc', privLevel: 'root' }, { username: 'noc', privLevel: 'admin', sessionTimeout: 0 }, { username: 'noc', privLevel: 'admin', crossHost: 5 }, { username: 'noc', privLevel: 'admin', extra: 1 }]) {
        const r = await api(env.sim, 'POST', '/api/v1/actions/authToken', jsonBody(body));
        r.status.should.equal(400, JSON.stringify(body));
        r.json.description.should.be.a.String();
      }
      (await api(env.sim, 'GET', '/api/v1/actions/authToken')).status.should.equal(405);
    });
  });

  describe('/files/tls', () => {
    const env = simPerTest({ firmware: '7.4' });
    const other = makeSelfSignedCertificate('127.0.0.1', 'uploaded');

    it('lists the TLS contexts and each context’s files', async () => {
      const r = await api(env.sim, 'GET', '/api/v1/files/tls', { auth: OPERATOR });
      r.status.should.equal(200);
      r.json.files.should.deepEqual([
        { id: '0', name: 'default', url: '/api/v1/files/tls/0' },
        { id: '1', name: 'Teams', url: '/api/v1/files/tls/1' },
      ]);
      const c = await api(env.sim, 'GET', '/api/v1/files/tls/0');
      c.json.files.map((f) => f.url).should.deepEqual(['/api/v1/files/tls/0/certificate', '/api/v1/files/tls/0/privateKey', '/api/v1/files/tls/0/trustedRoot']);
      (await api(env.sim, 'GET', '/api/v1/files/tls/7')).status.should.equal(404);
      (await api(env.sim, 'GET', '/api/v1/files/tls', { auth: MONITOR })).status.should.equal(403);
    });

    it('downloads the device certificate as PEM; a private key never comes out', async () => {
      const r = await api(env.sim, 'GET', '/api/v1/files/tls/0/certificate', { headers: { accept: 'text/plain' } });
      r.status.should.equal(200);
      r.headers['content-type'].should.equal('application/octet-stream');
      r.text.should.startWith('-----BEGIN CERTIFICATE-----');
      (await api(env.sim, 'GET', '/api/v1/files/tls/0/certificate')).text.should.equal(r.text);
      const key = await api(env.sim, 'GET', '/api/v1/files/tls/0/privateKey');
      key.status.should.equal(405);
      key.headers.allow.should.equal('PUT');
      // nothing uploaded yet on context 1
      (await api(env.sim, 'GET', '/api/v1/files/tls/1/certificate')).status.should.equal(404);
      (await api(env.sim, 'GET', '/api/v1/files/tls/1/trustedRoot')).status.should.equal(404);
    });

    it('uploads a certificate, a key and trusted roots (octet-stream or multipart), and refuses what is not PEM', async () => {
      (await api(env.sim, 'PUT', '/api/v1/files/tls/1/certificate', octet(other.cert))).status.should.equal(200);
      (await api(env.sim, 'PUT', '/api/v1/files/tls/1/privateKey', multipartFile(other.key, 'key.pem'))).status.should.equal(200);
      const roots = other.cert + makeSelfSignedCertificate('127.0.0.1', 'root 2').cert;
      const r = await api(env.sim, 'PUT', '/api/v1/files/tls/1/trustedRoot', multipartFile(roots, 'roots.pem'));
      r.status.should.equal(200);
      r.json.description.should.match(/was loaded/);
      (await api(env.sim, 'GET', '/api/v1/files/tls/1/certificate')).text.trim().should.equal(other.cert.trim());
      (await api(env.sim, 'GET', '/api/v1/files/tls/1/trustedRoot')).text.match(/BEGIN CERTIFICATE/g).length.should.equal(2);
      env.sim.control.state().uploads.map((u) => u.fileType).should.deepEqual(['tls/1/certificate', 'tls/1/privateKey', 'tls/1/trustedRoot']);
      for (const [kind, body] of [
        ['certificate', 'not a certificate'],
        ['certificate', other.key],
        ['certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
        ['privateKey', other.cert],
        ['privateKey', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
        ['trustedRoot', ''],
      ]) {
        const bad = await api(env.sim, 'PUT', `/api/v1/files/tls/1/${kind}`, octet(body));
        bad.status.should.equal(400, `${kind}: ${body.slice(0, 30)}`);
        bad.json.description.should.match(/is incorrect/);
      }
      (await api(env.sim, 'PUT', '/api/v1/files/tls/9/certificate', octet(other.cert))).status.should.equal(404);
      (await api(env.sim, 'PUT', '/api/v1/files/tls/1/certificate', { ...octet(other.cert), auth: MONITOR })).status.should.equal(403);
      env.sim.control.setFaults({ haSync: true });
      (await api(env.sim, 'PUT', '/api/v1/files/tls/1/certificate', octet(other.cert))).status.should.equal(409);
    });
  });

  describe('the debug file', () => {
    const env = simPerTest({ firmware: '7.4', debugFileMs: 150 });

    it('404 before one was made; created, it answers 200 with an empty body until it is ready, then a .tar.gz', async () => {
      (await api(env.sim, 'GET', '/api/v1/files/debugFile')).status.should.equal(404);
      const made = await api(env.sim, 'POST', '/api/v1/files/create/debugFile', { ...jsonBody({ attachCoreDump: false }), auth: OPERATOR });
      made.status.should.equal(200);
      made.json.transactionId.should.match(/^[0-9]+$/);
      // while it is being made: 200 and nothing in it, so a client must check the length
      const early = await api(env.sim, 'GET', '/api/v1/files/debugFile');
      early.status.should.equal(200);
      early.buffer.length.should.equal(0);
      // a second creation while one runs
      (await api(env.sim, 'POST', '/api/v1/files/create/debugFile', jsonBody({}))).status.should.equal(409);
      const ready = await until(async () => {
        const r = await api(env.sim, 'GET', '/api/v1/files/debugFile');
        return r.buffer.length > 0 ? r : undefined;
      });
      ready.status.should.equal(200);
      ready.headers['content-type'].should.equal('application/octet-stream');
      const tar = zlib.gunzipSync(ready.buffer);
      tarNames(tar).should.deepEqual(['debug/info.txt', 'debug/running.ini']);
      tar.toString('latin1').should.match(/Software version: 7\.40A/);
      // it stays until the next one, and a new one can be made
      (await api(env.sim, 'GET', '/api/v1/files/debugFile')).buffer.equals(ready.buffer).should.be.true();
      (await api(env.sim, 'POST', '/api/v1/files/create/debugFile', jsonBody({ attachCoreDump: true }))).status.should.equal(200);
      const core = await until(async () => {
        const r = await api(env.sim, 'GET', '/api/v1/files/debugFile');
        return r.buffer.length > 0 ? r : undefined;
      });
      tarNames(zlib.gunzipSync(core.buffer)).should.containEql('debug/core.dump');
    });

    it('checks the request (400), needs an Administrator (403), and PUT /files/debugFile still uploads', async () => {
      for (const body of [{ attachCoreDump: 'yes' }, { other: 1 }]) {
        (await api(env.sim, 'POST', '/api/v1/files/create/debugFile', jsonBody(body))).status.should.equal(400);
      }
      (await api(env.sim, 'POST', '/api/v1/files/create/debugFile', { ...jsonBody({}), auth: MONITOR })).status.should.equal(403);
      (await api(env.sim, 'GET', '/api/v1/files/debugFile', { auth: MONITOR })).status.should.equal(403);
      (await api(env.sim, 'PUT', '/api/v1/files/debugFile', octet('debug bytes'))).status.should.equal(200);
    });

    it('a reboot loses a debug file being made', async () => {
      (await api(env.sim, 'POST', '/api/v1/files/create/debugFile', jsonBody({}))).status.should.equal(200);
      env.sim.control.reboot(0);
      await env.sim.control.waitUntilUp();
      (await api(env.sim, 'GET', '/api/v1/files/debugFile')).status.should.equal(404);
    });
  });

  for (const fw of FIRMWARES.filter((f) => f !== '7.4')) {
    describe(`firmware ${fw}`, () => {
      const env = simPerTest({ firmware: fw });

      it('has none of them (404)', async () => {
        (await api(env.sim, 'POST', '/api/v1/actions/authToken', jsonBody({ username: 'noc', privLevel: 'admin' }))).status.should.equal(404);
        (await api(env.sim, 'GET', '/api/v1/files/tls')).status.should.equal(404);
        (await api(env.sim, 'PUT', '/api/v1/files/tls/0/certificate', octet('x'))).status.should.equal(404);
        (await api(env.sim, 'POST', '/api/v1/files/create/debugFile', jsonBody({}))).status.should.equal(404);
        (await api(env.sim, 'GET', '/api/v1/files/debugFile')).status.should.equal(404);
      });
    });
  }
});

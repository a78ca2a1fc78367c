'use strict';
// Firmware 7.4's auth token, TLS files and debug file through the client.
const zlib = require('node:zlib');
const { makeSelfSignedCertificate } = require('../../simulator/cert');
const { useSimClient, clientFor, failsWith, settledLog } = require('./_common');

describe('client: auth token, TLS files, debug file (firmware 7.4)', function () {
  const env = useSimClient({ firmware: '7.4', debugFileMs: 300 });
  // a second device that takes ten minutes to make a debug file: "not ready" for as long as a test looks
  const slow = useSimClient({ firmware: '7.4', debugFileMs: 600_000 });

  describe('auth token', function () {
    it('creates a token for a user (Security Administrator)', async function () {
      const r = await env.client.createAuthToken({ username: 'Operator', privLevel: 'operator', sessionTimeout: 600 });
      r.statusCode.should.equal(200);
      r.body.authToken.should.match(/^[0-9a-f]{64}$/);
      r.body.description.should.equal('Authentication token successfully generated');
    });

    it('an Administrator is refused by the device (403)', async function () {
      const operator = clientFor(env.sim, { username: 'Operator', password: 'Op3r-Pa55-z2v' });
      try {
        const err = await failsWith(operator.createAuthToken({ username: 'Operator', privLevel: 'monitor' }), 'EHTTP');
        err.statusCode.should.equal(403);
      } finally {
        await operator.destroy();
      }
    });

    it('refuses a bad request before sending it', async function () {
      env.sim.control.clearLog();
      const cases = [
        [env.client.createAuthToken({ username: 'x', privLevel: 'root' }), 'privLevel must be one of admin, operator, monitor, got "root"'],
        [env.client.createAuthToken({ username: '', privLevel: 'admin' }), 'username must be a non-empty string of up to 60 characters'],
        [env.client.createAuthToken({ username: 'x', privLevel: 'admin', sessionTimeout: 0 }), 'sessionTimeout must be an integer from 1 to 86400'],
        [env.client.createAuthToken({ username: 'x', privLevel: 'admin', password: 'p' }), 'password must be not a field of the request'],
        [env.client.createAuthToken('x'), 'auth token request must be an object'],
      ];
      for (const [p, text] of cases) (await failsWith(p, 'EINPUT')).message.should.startWith(text);
      await env.client.getStatus();
      (await settledLog(env.sim, '/api/v1/status')).map((e) => e.path).should.eql(['/api/v1/status']);
    });
  });

  describe('TLS files', function () {
    it('lists the contexts and a context\'s files', async function () {
      const all = await env.client.listTlsFiles();
      all.body.files.map((f) => f.name).should.eql(['default', 'Teams']);
      const one = await env.client.listTlsFiles(1);
      one.body.files.map((f) => f.id).should.eql(['certificate', 'privateKey', 'trustedRoot']);
    });

    it('downloads the default context\'s certificate as PEM text; a file not there is the device\'s 404', async function () {
      const r = await env.client.downloadTlsFile(0, 'certificate');
      r.body.should.startWith('-----BEGIN CERTIFICATE-----');
      const err = await failsWith(env.client.downloadTlsFile('1', 'trustedRoot'), 'EHTTP');
      err.message.should.equal('download TLS file failed: 404 Not Found: Trusted root certificate file not found');
    });

    it('uploads a trusted root (multipart and octet-stream), which can then be downloaded', async function () {
      const { cert } = makeSelfSignedCertificate('127.0.0.1', 'ca-test');
      const r = await env.client.uploadTlsFile(1, 'trustedRoot', cert, { multipart: true });
      r.body.description.should.equal('Trusted root certificate file was loaded');
      (await env.client.downloadTlsFile(1, 'trustedRoot')).body.trim().should.equal(cert.trim());
      await env.client.uploadTlsFile(1, 'certificate', Buffer.from(cert), { multipart: false });
      const up = env.sim.control.state().uploads.slice(-2);
      up.map((u) => u.contentType.split(';')[0]).should.eql(['multipart/form-data', 'application/octet-stream']);
      up.map((u) => u.fileType).should.eql(['tls/1/trustedRoot', 'tls/1/certificate']);
    });

    it('a file that is not PEM is the device\'s 400; a bad context or kind is refused before sending', async function () {
      const err = await failsWith(env.client.uploadTlsFile(1, 'privateKey', 'not a key'), 'EHTTP');
      err.statusCode.should.equal(400);
      env.sim.control.clearLog();
      (await failsWith(env.client.downloadTlsFile('../0', 'certificate'), 'EINPUT')).message.should.startWith('context must be a TLS context index');
      (await failsWith(env.client.downloadTlsFile(0, 'privateKey'), 'EINPUT')).message.should.startWith('kind must be one of certificate, trustedRoot');
      (await failsWith(env.client.uploadTlsFile(0, '../../ini', 'x'), 'EINPUT')).message.should.startWith('kind must be one of certificate, privateKey, trustedRoot');
      (await failsWith(env.client.listTlsFiles('x'), 'EINPUT')).message.should.startWith('context must be');
      await env.client.getStatus();
      (await settledLog(env.sim, '/api/v1/status')).map((e) => e.path).should.eql(['/api/v1/status']);
    });
  });

  describe('debug file', function () {
    it('create, then download until it is made: the archive', async function () {
      const c = await env.client.createDebugFile({ attachCoreDump: false });
      c.body.transactionId.should.be.a.String();
      let file;
      for (let i = 0; i < 200 && !file; i++) {
        await new Promise((r) => setTimeout(r, 50));
        file = (await env.client.downloadDebugFile()).body;
      }
      Buffer.isBuffer(file).should.be.true();
      zlib.gunzipSync(file).toString('latin1').should.containEql('debug/info.txt');
    });

    it('fetchDebugFile creates and waits for it; a cap smaller than the file refuses it', async function () {
      const r = await env.client.fetchDebugFile({ attachCoreDump: true, pollIntervalMs: 100 });
      zlib.gunzipSync(r.body).toString('latin1').should.containEql('debug/core.dump');
      const err = await failsWith(env.client.downloadDebugFile({ maxBytes: 100 }), 'ERESPONSE');
      err.message.should.equal('download debug file failed: bad response: response larger than 100 bytes');
    });

    it('a device still making it: past the wait a timeout, a download null (an empty 200), another create its 409', async function () {
      const err = await failsWith(slow.client.fetchDebugFile({ pollIntervalMs: 100, maxWaitMs: 150 }), 'ETIMEOUT');
      err.message.should.startWith('fetch debug file failed: timeout: no debug file from');
      const early = await slow.client.downloadDebugFile();
      early.statusCode.should.equal(200);
      (early.body === null).should.be.true();
      (await failsWith(slow.client.createDebugFile(), 'EHTTP')).statusCode.should.equal(409);
    });
  });
});

describe('client: 7.4 administration on firmware 7.0 and 7.2', function () {
  for (const firmware of ['7.0', '7.2']) {
    describe(`firmware ${firmware}`, function () {
      const env = useSimClient({ firmware });
      it('auth token, TLS files and the debug file are the device\'s 404', async function () {
        (await failsWith(env.client.createAuthToken({ username: 'x', privLevel: 'admin' }), 'EHTTP')).statusCode.should.equal(404);
        (await failsWith(env.client.listTlsFiles(), 'EHTTP')).statusCode.should.equal(404);
        (await failsWith(env.client.createDebugFile(), 'EHTTP')).statusCode.should.equal(404);
      });
    });
  }
});

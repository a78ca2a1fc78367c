'use strict';
// Uploads: streamed from disk or from a stream, as octet-stream or multipart,
// with progress, an idle (not total) timeout, and 409 retried with backoff.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');
const should = require('should');
const { useSimClient, clientFor, failsWith, settledLog, apiLog } = require('./_common');
const { uploadTypeOf } = require('../helpers/sim');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Writes `mib` MiB of random bytes to a new file chunk by chunk; returns its path and sha256. */
function makeFile(dir, name, mib) {
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  const hash = crypto.createHash('sha256');
  try {
    for (let i = 0; i < mib; i++) {
      const chunk = crypto.randomBytes(1024 * 1024);
      hash.update(chunk);
      fs.writeSync(fd, chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { file, sha256: hash.digest('hex'), bytes: mib * 1024 * 1024 };
}

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

describe('client: uploads', function () {
  const env = useSimClient();
  let dir;
  let big;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-client-'));
    big = makeFile(dir, 'firmware.cmp', 24);
  });

  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const lastUpload = () => env.sim.control.state().uploads.slice(-1)[0];

  it('streams a file from disk: the device records the same sha256, with progress up to the size', async function () {
    const progress = [];
    const res = await env.client.uploadFile('software', { path: big.file }, { onProgress: (sent, total) => progress.push([sent, total]) });
    res.body.description.should.equal('Device will reset now to activate new software load');
    const up = lastUpload();
    up.should.containDeep({ fileType: 'software', bytes: big.bytes, sha256: big.sha256 });
    up.contentType.should.startWith(uploadTypeOf());
    progress.length.should.be.above(1);
    progress.slice(-1)[0].should.eql([big.bytes, big.bytes]);
    for (let i = 1; i < progress.length; i++) progress[i][0].should.be.above(progress[i - 1][0]);
  });

  it('streams a Readable (size unknown: total undefined)', async function () {
    const data = crypto.randomBytes(3 * 1024 * 1024 + 17);
    let total = 'unset';
    const res = await env.client.uploadFile('voiceprompts', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
      onProgress: (_s, t) => (total = t),
    });
    res.statusCode.should.equal(200);
    lastUpload().should.containDeep({ fileType: 'voiceprompts', bytes: data.length, sha256: sha(data) });
    should(total).be.undefined();
  });

  it('sends multipart/form-data with one field named file when asked', async function () {
    const res = await env.client.uploadFile('software', { path: big.file }, { multipart: true });
    res.statusCode.should.equal(200);
    const up = lastUpload();
    up.contentType.should.startWith('multipart/form-data; boundary=');
    up.bytes.should.equal(big.bytes);
    up.sha256.should.equal(big.sha256);
  });

  it('multipart from a Buffer, and as the client default (multipartUploads)', async function () {
    const c = clientFor(env.sim, { multipartUploads: true });
    try {
      const ini = Buffer.from('GWDEBUGLEVEL = 3\r\n');
      await c.uploadFile('ini/incremental', ini);
      lastUpload().contentType.should.startWith('multipart/form-data');
      lastUpload().sha256.should.equal(sha(ini));
      env.sim.control.state().ini.should.match(/GWDEBUGLEVEL = 3/);
      // a per-call false wins over the client default
      await c.uploadFile('cpt', Buffer.from('tones'), { multipart: false });
      lastUpload().contentType.should.equal('application/octet-stream');
    } finally {
      await c.close();
    }
  });

  it('a stream that fails part way is a plain input error', async function () {
    async function* broken() {
      yield Buffer.alloc(2000, 1);
      throw Object.assign(new Error('disk gone'), { code: 'EIO' });
    }
    const err = await failsWith(env.client.uploadFile('amd', Readable.from(broken())), 'EINPUT');
    err.message.should.equal('upload amd failed: the data to upload could not be read (EIO)');
    (await env.client.getStatus()).statusCode.should.equal(200);
  });

  it('puts a license file from disk', async function () {
    const serialNumber = (await env.client.getLicense()).body.serialNumber;
    const file = path.join(dir, 'license.txt');
    fs.writeFileSync(file, `${serialNumber} DiskKey0123456789abcd\n`);
    const res = await env.client.putLicenseFile({ path: file });
    res.statusCode.should.equal(200);
    await env.sim.control.waitUntilUp();
    env.sim.control.state().license.key.should.equal('DiskKey0123456789abcd');
  });

  describe('timeouts', function () {
    it('an upload that keeps progressing is not cut by the timeout, however long it takes', async function () {
      const c = clientFor(env.sim, { timeout: 300 });
      try {
        async function* slow() {
          for (let i = 0; i < 10; i++) {
            await sleep(100);
            yield Buffer.alloc(1000, i);
          }
        }
        const started = Date.now();
        const res = await c.uploadFile('amd', Readable.from(slow()));
        res.statusCode.should.equal(200);
        lastUpload().bytes.should.equal(10000);
        // the point of the test: it lasted longer than the timeout and still succeeded
        (Date.now() - started).should.be.above(300);
      } finally {
        await c.close();
      }
    });

    it('an upload that stalls fails with an idle timeout', async function () {
      const c = clientFor(env.sim, { timeout: 300 });
      try {
        const stalled = new Readable({ read() {} });
        stalled.push(Buffer.alloc(1000));
        const err = await failsWith(c.uploadFile('prt', stalled), 'ETIMEOUT');
        err.message.should.equal(`upload prt failed: timeout: no upload progress from 127.0.0.1:${env.sim.port} within 300 ms`);
        stalled.destroyed.should.be.true();
      } finally {
        await c.destroy();
      }
    });

    it('the caller can cancel an upload under way', async function () {
      const ac = new AbortController();
      const stalled = new Readable({ read() {} });
      stalled.push(Buffer.alloc(1000));
      const p = env.client.uploadFile('castable', stalled, { signal: ac.signal, onProgress: () => ac.abort() });
      const err = await failsWith(p, 'EABORTED');
      err.message.should.equal('upload castable cancelled');
    });
  });

  describe('409 Conflict', function () {
    const conflicts = (entries, p) => entries.filter((e) => e.path === p && e.status === 409).length;

    async function until(fn) {
      for (let i = 0; i < 1000 && !fn(); i++) await sleep(5);
      fn().should.be.true();
    }

    it('is retried with backoff until the HA synchronization ends', async function () {
      const c = clientFor(env.sim, { conflictRetryMs: 20000, conflictRetryBaseMs: 20 });
      try {
        env.sim.control.clearLog();
        env.sim.control.setFaults({ haSync: true });
        const p = c.saveConfiguration();
        await until(() => conflicts(apiLog(env.sim), '/api/v1/actions/saveConfiguration') >= 2);
        env.sim.control.setFaults({ haSync: false });
        const res = await p;
        res.statusCode.should.equal(200);
        const log = await settledLog(env.sim, '/api/v1/actions/saveConfiguration');
        const statuses = log.filter((e) => e.path === '/api/v1/actions/saveConfiguration').map((e) => e.status);
        statuses.slice(-1)[0].should.equal(200);
        statuses.slice(0, -1).every((s) => s === 409).should.be.true();
      } finally {
        await c.close();
      }
    });

    it('re-sends a file from disk on each try', async function () {
      const c = clientFor(env.sim, { conflictRetryMs: 20000, conflictRetryBaseMs: 20 });
      const small = makeFile(dir, 'codertable.dat', 1);
      try {
        env.sim.control.clearLog();
        env.sim.control.setFaults({ haSync: true });
        const p = c.uploadFile('codertable', { path: small.file });
        await until(() => conflicts(apiLog(env.sim), '/api/v1/files/codertable') >= 2);
        env.sim.control.setFaults({ haSync: false });
        (await p).statusCode.should.equal(200);
        lastUpload().should.containDeep({ fileType: 'codertable', sha256: small.sha256, bytes: small.bytes });
      } finally {
        await c.close();
      }
    });

    it('becomes the 409 error once the budget is spent', async function () {
      const c = clientFor(env.sim, { conflictRetryMs: 200, conflictRetryBaseMs: 20 });
      try {
        env.sim.control.clearLog();
        env.sim.control.setFaults({ haSync: true });
        const err = await failsWith(c.reset(), 'EHTTP');
        err.message.should.equal('reset failed: 409 Conflict: Device is currently performing HA synchronization');
        const log = await settledLog(env.sim, '/api/v1/actions/reset');
        conflicts(log, '/api/v1/actions/reset').should.be.above(1);
      } finally {
        await c.close();
      }
    });

    it('a Readable body is not retried', async function () {
      const c = clientFor(env.sim, { conflictRetryMs: 20000, conflictRetryBaseMs: 20 });
      try {
        env.sim.control.clearLog();
        env.sim.control.setFaults({ haSync: true });
        const err = await failsWith(c.uploadFile('dialplan', Readable.from([Buffer.from('plan')])), 'EHTTP');
        err.statusCode.should.equal(409);
        const log = await settledLog(env.sim, '/api/v1/files/dialplan');
        log.filter((e) => e.path === '/api/v1/files/dialplan').length.should.equal(1);
      } finally {
        await c.close();
      }
    });

    it('without conflictRetryMs a 409 fails at once', async function () {
      env.sim.control.clearLog();
      env.sim.control.setFaults({ haSync: true });
      await failsWith(env.client.uploadFile('ini/incremental', 'EnableSyslog = 1\n'), 'EHTTP');
      const log = await settledLog(env.sim, '/api/v1/files/ini/incremental');
      log.filter((e) => e.path === '/api/v1/files/ini/incremental').length.should.equal(1);
    });
  });
});

'use strict';
// The client against the hostile device (test/helpers/hostile.js): whatever
// the device does, every call settles, within its deadline, with a plain
// MediantError that holds no credential; a flood is refused, not queued.
const { Readable } = require('node:stream');
const should = require('should');
const { MediantClient } = require('../../client');
const { startHostile } = require('../helpers/hostile');
const { failsWith, assertNoCredentials, ADMIN_PASSWORD } = require('./_common');

const settle = (p) => p.then((v) => ({ v }), (e) => ({ e }));

describe('client: a hostile device', function () {
  let dev;
  let target;
  const clients = [];
  /** A client for the hostile device; `extra` overrides its options (timeout 1 s by default). */
  const clientWith = (extra) => {
    const c = new MediantClient(dev.clientOptions({ password: ADMIN_PASSWORD, timeout: 1000, ...extra }));
    clients.push(c);
    return c;
  };

  before(async function () {
    dev = await startHostile({ username: 'Admin', password: ADMIN_PASSWORD });
    target = `127.0.0.1:${dev.port}`;
  });
  after(async function () {
    await dev.close();
  });
  afterEach(async function () {
    dev.reset();
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
  });

  describe('deep JSON', function () {
    it('is a bad response naming the depth, not a stack overflow later', async function () {
      dev.set({ deepJson: 100000 });
      const err = await failsWith(clientWith().getStatus(), 'ERESPONSE');
      err.message.should.equal('status failed: bad response: JSON nested deeper than 32 levels');
    });

    it('at the limit, the answer is read', async function () {
      dev.set({ deepJson: 29 }); // {"deep": {"d": … {"end": true}}}: 31 levels in all
      const r = await clientWith().getStatus();
      r.body.productType.should.equal('Mediant SW');
    });

    it('in an error answer, the status still says what happened', async function () {
      dev.set({ deepJson: 100000, status: 503 });
      // the harness sends {description} for `status`: deep JSON there comes from a generic request's answer instead
      const err = await failsWith(clientWith().getStatus(), 'EHTTP');
      err.message.should.equal('status failed: 503 Service Unavailable: hostile 503');
    });

    it('through the generic request too: the one parser has the one limit', async function () {
      dev.set({ deepJson: 5000 });
      const err = await failsWith(clientWith().request({ method: 'GET', path: '/status' }), 'ERESPONSE');
      err.message.should.match(/JSON nested deeper than 32 levels/);
    });
  });

  describe('the whole request has one deadline', function () {
    it('a body trickling one byte at a time times out', async function () {
      dev.set({ trickleMs: 100 });
      const err = await failsWith(clientWith().getStatus(), 'ETIMEOUT');
      err.message.should.equal(`status failed: timeout: no complete answer from ${target} within 1 s`);
    });

    it('endless 102 Processing answers count against it', async function () {
      dev.set({ processingFlood: 50 });
      const err = await failsWith(clientWith().getStatus(), 'ETIMEOUT');
      err.message.should.match(new RegExp(`^status failed: timeout: no answer from ${target} within 1 s \\(only \\d+ interim 1xx answers\\)$`));
    });

    it('so does the wait for a free connection', async function () {
      dev.set({ silent: true });
      const c = clientWith({ connections: 1 });
      const results = await Promise.all([1, 2, 3].map(() => settle(c.getStatus())));
      for (const r of results) {
        should.exist(r.e);
        r.e.code.should.equal('ETIMEOUT');
      }
      results[0].e.message.should.equal(`status failed: timeout: no answer from ${target} within 1 s`);
      for (const r of results.slice(1)) {
        r.e.message.should.equal(`status failed: timeout: no answer from ${target} within 1 s (waited for a free connection: all 1 busy with earlier requests)`);
      }
    });

    it('a device that accepts connections late times out and is used again once it behaves', async function () {
      dev.set({ slowAcceptMs: 5000 });
      const c = clientWith();
      await failsWith(c.getStatus(), 'ETIMEOUT');
      dev.reset();
      (await c.getStatus()).statusCode.should.equal(200);
    });

    it('an upload that keeps progressing ends at its overall bound', async function () {
      const c = clientWith({ uploadTimeout: 1500 });
      let stop = false;
      const endless = new Readable({
        read() {
          setTimeout(() => {
            if (!stop) this.push(Buffer.alloc(1024, 0x61));
          }, 100);
        },
      });
      try {
        const err = await failsWith(c.uploadFile('ini', endless), 'ETIMEOUT');
        err.message.should.equal(`upload ini failed: timeout: no complete answer from ${target} within 1.5 s (an upload and its answer may take at most that long)`);
      } finally {
        stop = true;
        endless.destroy();
      }
    });
  });

  describe('a flood to one device', function () {
    it('is refused past maxQueued with a clear error, at once', async function () {
      dev.set({ silent: true });
      const c = clientWith({ maxQueued: 5, connections: 2 });
      const all = Array.from({ length: 8 }, () => settle(c.getStatus()));
      const results = await Promise.all(all);
      const busy = results.filter((r) => r.e && r.e.code === 'EBUSY');
      const timedOut = results.filter((r) => r.e && r.e.code === 'ETIMEOUT');
      busy.length.should.equal(3);
      timedOut.length.should.equal(5);
      busy[0].e.message.should.equal(
        `status refused: 5 requests to ${target} are already waiting or under way (the most allowed): the device is slow or does not answer; try again later`,
      );
      // once those settled, the device is asked again
      dev.reset();
      (await c.getStatus()).statusCode.should.equal(200);
    });
  });

  describe('echoed credentials', function () {
    it('never reach an error: password, base64 and any Basic token are cut out', async function () {
      dev.set({ echoCredentials: true });
      const err = await failsWith(clientWith().getStatus(), 'EHTTP');
      err.message.should.equal('status failed: 500 Internal Server Error: Denied for *** (user Admin:***, password ***, token ***, *** ***)');
      assertNoCredentials(err);
    });

    it('nor the response headers of a generic request, nor redact()', async function () {
      dev.set({ echoCredentials: true });
      const c = clientWith();
      const err = await failsWith(c.request({ method: 'GET', path: '/status' }), 'EHTTP');
      assertNoCredentials(err);
      dev.reset();
      dev.set({ echoHeader: true });
      const r = await c.request({ method: 'GET', path: '/status' });
      r.statusCode.should.equal(200);
      r.headers['x-echo'].should.equal('***');
      c.redact(`x ${ADMIN_PASSWORD.toUpperCase()} basic QWxh= ${Buffer.from(`Admin:${ADMIN_PASSWORD}`).toString('base64url')}`).should.equal('x *** *** ***');
    });

    it('nor the description and output of a CLI script that ran (as of one that failed)', async function () {
      dev.set({ echoInBody: true });
      const r = await clientWith().runCliScript('show system uptime');
      r.statusCode.should.equal(200);
      r.body.description.should.equal('*** ***');
      r.body.output.should.equal('*** ***');
      assertNoCredentials(r.body);
    });

    it('nor the description of an action\'s answer: reset (msg.reset), save, upload, license (found by the fault campaign)', async function () {
      dev.set({ echoInBody: true });
      const c = clientWith();
      const answers = [
        await c.reset({ saveConfiguration: false }),
        await c.saveConfiguration(),
        await c.uploadFile('ini', 'GWAppDelay = 0\n'),
        await c.putLicense({ licenseVersion: 1, key: 'abc' }),
      ];
      for (const r of answers) {
        r.statusCode.should.equal(200);
        r.body.description.should.equal('*** ***');
        assertNoCredentials(r.body);
      }
    });
  });

  describe('odd answers are data, not crashes', function () {
    it('odd field types come back as sent', async function () {
      dev.set({ oddTypes: true });
      const r = await clientWith().getStatus();
      r.body.productType.should.eql({ toString: 1, valueOf: 2 });
    });
  });

  describe('PM index "all" is bounded', function () {
    it('a discovery listing 1,000,000 indexes is refused before any value is read', async function () {
      this.timeout(60000);
      dev.set({ endlessPages: true });
      const err = await failsWith(clientWith({ timeout: 20000 }).getPmValues('NetUtilKBytes'), 'ERESPONSE');
      err.message.should.equal('read PM failed: bad response: the device listed 1000000 indexes for NetUtilKBytes, more than the 10000 read at most');
      dev.apiRequests().map((r) => r.url).should.eql(['/api/v1/performanceMonitoring/NetUtilKBytes']);
    });

    it('maxIndexes sets the bound', async function () {
      const c = clientWith();
      const r = await c.getPmValues('NetUtilKBytes', { maxIndexes: 2, interval: 1 });
      r.body.should.eql([
        { index: 0, interval: 1, value: 42 },
        { index: 1, interval: 1, value: 43 },
      ]);
      const err = await failsWith(c.getPmValues('NetUtilKBytes', { maxIndexes: 1 }), 'ERESPONSE');
      err.message.should.match(/listed 2 indexes for NetUtilKBytes, more than the 1 read at most/);
    });

    it('indexes that are not integers >= 0 are a bad response, not a bad input', async function () {
      dev.set({ oddTypes: true });
      const err = await failsWith(clientWith().getPmValues('NetUtilKBytes'), 'ERESPONSE');
      err.message.should.equal('read PM failed: bad response: the discovery of NetUtilKBytes lists an index that is not an integer >= 0');
    });

    it('values that come to more than the response cap stop the read', async function () {
      dev.set({ pmIndexes: 4 });
      const c = clientWith({ maxResponseBytes: 100 });
      const err = await failsWith(c.getPmValues('NetUtilKBytes'), 'ERESPONSE');
      err.message.should.equal('read PM failed: bad response: the values of NetUtilKBytes came to more than 100 bytes after 3 of 4 indexes');
    });
  });
});

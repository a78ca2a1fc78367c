'use strict';
// A file to upload is checked before any request with a stat and a
// non-blocking open: a named pipe (opening one for reading waits for a writer,
// forever, pinning one of libuv's four threads), a socket, a device or a
// directory is refused at once, naming what it is; the checks are abortable.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const { MediantClient } = require('../../client');
const { startHostile } = require('../helpers/hostile');
const { failsWith, ADMIN_PASSWORD } = require('./_common');

describe('client: files that are not regular files', function () {
  let dev;
  let client;
  let dir;
  let sock;

  before(async function () {
    dev = await startHostile({ username: 'Admin', password: ADMIN_PASSWORD });
    client = new MediantClient(dev.clientOptions({ password: ADMIN_PASSWORD, timeout: 2000 }));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediant-files-'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    sock = net.createServer();
    await new Promise((r) => sock.listen(path.join(dir, 'socket'), r));
    fs.writeFileSync(path.join(dir, 'ok.ini'), '[x]\n');
  });
  after(async function () {
    await client.destroy();
    await dev.close();
    await new Promise((r) => sock.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(function () {
    dev.reset();
  });

  const cases = [
    ['a named pipe (FIFO)', () => path.join(dir, 'pipe'), 'a regular file, not a named pipe (FIFO)'],
    ['a socket', () => path.join(dir, 'socket'), 'a regular file, not a socket'],
    ['a device', () => '/dev/zero', 'a regular file, not a device'],
    ['a directory', () => dir, 'a file, not a directory'],
  ];
  for (const [what, where, expected] of cases) {
    it(`${what} is refused at once, before any request`, async function () {
      const file = where();
      const err = await failsWith(client.uploadFile('ini', { path: file }, { filenameProperty: 'msg.filename' }), 'EINPUT');
      err.message.should.equal(`msg.filename must be ${expected}, got ${JSON.stringify(file)}`);
      dev.apiRequests().should.have.length(0);
    });
  }

  it('the generic request refuses a named pipe as its file the same way', async function () {
    const file = path.join(dir, 'pipe');
    const err = await failsWith(client.request({ method: 'PUT', path: '/files/ini', file, fileProperty: 'msg.filename' }), 'EINPUT');
    err.message.should.equal(`msg.filename must be a regular file, not a named pipe (FIFO), got ${JSON.stringify(file)}`);
    dev.apiRequests().should.have.length(0);
  });

  it('a regular file next to them is sent', async function () {
    // the raw file (this hostile device names a 7.40A firmware, which would get multipart)
    const r = await client.uploadFile('ini', { path: path.join(dir, 'ok.ini') }, { multipart: false });
    r.statusCode.should.equal(200);
    dev.apiRequests()[0].body.toString().should.equal('[x]\n');
  });

  it('an aborted caller gets EABORTED from the checks, and nothing is sent', async function () {
    const ac = new AbortController();
    const p = client.uploadFile('ini', { path: path.join(dir, 'ok.ini') }, { signal: ac.signal });
    ac.abort();
    const err = await failsWith(p, 'EABORTED');
    err.message.should.equal('upload ini cancelled');
    dev.apiRequests().should.have.length(0);
    should(fs.existsSync(path.join(dir, 'ok.ini'))).be.true();
  });
});

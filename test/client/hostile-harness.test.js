'use strict';
// The hostile device of test/helpers/hostile.js does what its switches say,
// seen from a plain HTTP client: the tests that run our nodes and the alarm
// engine against it rely on that.
const http = require('node:http');
const net = require('node:net');
const should = require('should');
const { startHostile } = require('../helpers/hostile');

const PASSWORD = 'H0stile-Pa55';
const AUTH = `Basic ${Buffer.from(`Admin:${PASSWORD}`).toString('base64')}`;

/** One GET; resolves { status, headers, body, interim } where interim counts 1xx answers. */
function get(dev, path, { auth = AUTH, abortAfterMs } = {}) {
  return new Promise((resolve, reject) => {
    let interim = 0;
    const req = http.get({ host: dev.host, port: dev.port, path, headers: { authorization: auth }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), interim }));
      res.on('error', reject);
    });
    req.on('information', () => {
      interim++;
    });
    req.on('error', (e) => (e.code === 'ECONNRESET' ? resolve({ aborted: true, interim }) : reject(e)));
    if (abortAfterMs) setTimeout(() => req.destroy(), abortAfterMs);
  });
}

describe('the hostile device harness', function () {
  let dev;
  before(async function () {
    dev = await startHostile({ username: 'Admin', password: PASSWORD });
  });
  after(async function () {
    await dev.close();
  });
  afterEach(function () {
    dev.reset();
  });

  it('answers like a plain device without switches, and 401 without the right credentials', async function () {
    const r = await get(dev, '/api/v1/status');
    r.status.should.equal(200);
    JSON.parse(r.body).productType.should.equal('Mediant SW');
    (await get(dev, '/api/v1/status', { auth: 'Basic eDp5' })).status.should.equal(401);
    const page = JSON.parse((await get(dev, '/api/v1/alarms/active?limit=1')).body);
    page.alarms.map((a) => a.id).should.eql(['1']);
    page.cursor.after.should.equal('1');
    JSON.parse((await get(dev, '/api/v1/alarms/active?limit=1&after=1')).body).cursor.after.should.equal('-1');
    JSON.parse((await get(dev, '/api/v1/alarms/active/2')).body).severity.should.equal('critical');
    dev.apiRequests().length.should.equal(5);
  });

  it('deepJson nests an extra field that many levels deep', async function () {
    dev.set({ deepJson: 5000 });
    const r = await get(dev, '/api/v1/status');
    r.body.split('{"d":').length.should.equal(5001);
  });

  it('oddTypes, numericIds, refusedId and endlessPages change the alarm lists', async function () {
    dev.set({ numericIds: true, refusedId: true });
    const page = JSON.parse((await get(dev, '/api/v1/alarms/active')).body);
    page.alarms.map((a) => a.id).should.eql([1, 2, '../actions/reset']);
    page.cursor.after.should.equal(-1);
    dev.reset();
    dev.set({ oddTypes: true });
    const d = JSON.parse((await get(dev, '/api/v1/alarms/active/1')).body);
    d.description.should.eql({ toString: 1, valueOf: 2 });
    dev.reset();
    dev.set({ endlessPages: true });
    const p = JSON.parse((await get(dev, '/api/v1/alarms/history?limit=3&after=300')).body);
    p.alarms.map((a) => a.id).should.eql(['301', '302', '303']);
    p.cursor.after.should.equal('303');
  });

  it('only limits the switches to the paths it matches', async function () {
    dev.set({ oddTypes: true, only: /\/alarms\/active\/\d+$/ });
    JSON.parse((await get(dev, '/api/v1/status')).body).productType.should.equal('Mediant SW');
    JSON.parse((await get(dev, '/api/v1/alarms/active/1')).body).severity.should.equal(42);
  });

  it('trickleMs sends the body a byte at a time, processingFlood sends 102s and no answer', async function () {
    dev.set({ trickleMs: 1 });
    const r = await get(dev, '/api/v1/license');
    JSON.parse(r.body).key.should.equal('KEY-1');
    dev.set({ trickleMs: 0, processingFlood: 5 });
    const f = await get(dev, '/api/v1/status', { abortAfterMs: 300 });
    should(f.aborted).be.true();
    f.interim.should.be.above(1);
  });

  it('echoCredentials quotes the credentials in a 500', async function () {
    dev.set({ echoCredentials: true });
    const r = await get(dev, '/api/v1/status');
    r.status.should.equal(500);
    r.body.should.containEql(PASSWORD);
    r.headers['x-echo'].should.equal(AUTH);
  });

  it('slowAcceptMs holds a new connection before HTTP sees it, silent never answers', async function () {
    dev.set({ slowAcceptMs: 1000 });
    const before = dev.apiRequests().length;
    const sock = net.connect(dev.port, dev.host);
    await new Promise((r) => sock.once('connect', r));
    sock.write(`GET /api/v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    dev.apiRequests().length.should.equal(before);
    const answered = await new Promise((r) => sock.once('data', (d) => r(d.toString())));
    answered.should.startWith('HTTP/1.1 200');
    sock.destroy();
    dev.set({ slowAcceptMs: 0, silent: true });
    const s = await get(dev, '/api/v1/status', { abortAfterMs: 200 });
    should(s.aborted).be.true();
  });

  it('reset drops a connection slowAcceptMs still holds: its request never reaches the log of the next test', async function () {
    dev.set({ slowAcceptMs: 1000 });
    const sock = net.connect(dev.port, dev.host);
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    sock.write(`GET /api/v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\n\r\n`);
    const first = new Promise((r) => {
      sock.once('data', () => r('answered'));
      sock.once('close', () => r('closed'));
    });
    dev.reset();
    (await first).should.equal('closed');
    dev.apiRequests().should.eql([]);
  });
});

'use strict';
require('should');
const https = require('node:https');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { X509Certificate } = require('node:crypto');
const { startSim } = require('../helpers/sim');
const { simPerSuite, api, ctl, ADMIN, failure, until, Agent } = require('./_util');
const { makeSelfSignedCertificate } = require('../../simulator');

function httpsGet(url, options) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { auth: 'Admin:Admin', timeout: 10000, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('simulator: HTTPS', function () {
  const env = simPerSuite({ tls: true });

  it('serves https with a self-signed CA certificate for localhost and 127.0.0.1', () => {
    env.sim.protocol.should.equal('https');
    env.sim.url.should.startWith('https://127.0.0.1:');
    const x = new X509Certificate(env.sim.certificate);
    x.subjectAltName.should.match(/DNS:localhost/);
    x.subjectAltName.should.match(/IP Address:127\.0\.0\.1/);
    x.ca.should.be.true();
    x.verify(x.publicKey).should.be.true(); // self-signed
  });

  it('a client given ca: sim.certificate verifies it (https and undici)', async () => {
    const r = await httpsGet(`${env.sim.url}/api/v1/status`, { ca: env.sim.certificate });
    r.status.should.equal(200);
    JSON.parse(r.body).productType.should.equal('Mediant SW');
    const byName = await httpsGet(`https://localhost:${env.sim.port}/api/v1/status`, { ca: env.sim.certificate });
    byName.status.should.equal(200);
    const agent = new Agent({ connect: { ca: env.sim.certificate } });
    try {
      (await api(env.sim, 'GET', '/api/v1/status', { dispatcher: agent })).status.should.equal(200);
    } finally {
      await agent.close();
    }
  });

  it('a client without it fails verification as self-signed', async () => {
    const e = await failure(httpsGet(`${env.sim.url}/api/v1/status`, {}));
    e.code.should.be.oneOf('DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN');
    const agent = new Agent();
    try {
      const u = await failure(api(env.sim, 'GET', '/api/v1/status', { dispatcher: agent }));
      (u.code || (u.cause && u.cause.code)).should.be.oneOf('DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN');
    } finally {
      await agent.close();
    }
  });

  it('GET /__sim/certificate returns the PEM', async () => {
    const agent = new Agent({ connect: { ca: env.sim.certificate } });
    try {
      const { request } = require('undici');
      const r = await request(`${env.sim.url}/__sim/certificate`, { dispatcher: agent });
      (await r.body.text()).should.equal(env.sim.certificate);
    } finally {
      await agent.close();
    }
  });

  it('takes a given certificate and key', async () => {
    const pair = makeSelfSignedCertificate('127.0.0.1', 'given-cert');
    const s = await startSim({ tls: { cert: pair.cert, key: pair.key } });
    try {
      s.certificate.should.equal(pair.cert);
      (await httpsGet(`${s.url}/api/v1/status`, { ca: pair.cert })).status.should.equal(200);
      // a different certificate as CA does not verify
      await failure(httpsGet(`${s.url}/api/v1/status`, { ca: env.sim.certificate }));
    } finally {
      await s.close();
    }
  });
});

describe('simulator: scenario mode', function () {
  it('raises and clears realistic alarms over time, and stops on close', async () => {
    const sim = await startSim({ scenario: { periodMs: 30 } });
    try {
      await until(() => sim.control.state().alarmEvents.some((e) => e.event === 'cleared'));
      const st = sim.control.state();
      const descriptions = new Set(st.alarmEvents.map((e) => e.alarm.description));
      descriptions.has('Trunk is down').should.be.true();
      descriptions.size.should.be.above(1);
      const trunk = st.alarmEvents.find((e) => e.alarm.description === 'Trunk is down');
      trunk.alarm.should.have.properties({ source: 'Trunk#1', clearedByCli: 'no shutdown' });
      (await api(sim, 'GET', '/api/v1/alarms/history')).status.should.equal(200);
    } finally {
      await sim.close();
    }
  });
});

describe('simulator: mediant-sim command line', function () {
  const cli = path.join(__dirname, '..', '..', 'simulator', 'cli.js');
  const children = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });

  function run(args) {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const url = new Promise((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    return { child, url, exit, output: () => out };
  }

  it('starts with --port 0, prints the real URL and credentials, answers GET /api/v1/status with Basic Admin:Admin, stops on SIGTERM', async () => {
    // 2015 shapes (productType, "Stand Alone"): firmware 7.0 pinned; the default (7.4) is tested in firmware-profiles.test.js
    const p = run(['--port', '0', '--firmware', '7.0']);
    const url = await p.url;
    p.output().should.match(/user "Admin", password "Admin"/);
    const sim = { url };
    const r = await api(sim, 'GET', '/api/v1/status', { auth: ADMIN });
    r.status.should.equal(200);
    r.json.should.have.properties({ productType: 'Mediant SW', highAvailability: 'Stand Alone', ipAddress: '127.0.0.1' });
    (await api(sim, 'GET', '/api/v1/status', { auth: null })).status.should.equal(401);
    p.child.kill('SIGTERM');
    (await p.exit).code.should.equal(0);
  });

  it('--user/--password, --tls, --scenario, --ha, --boot-time; stops on SIGINT', async () => {
    // HA shown as "Active": the 2015 wording, so firmware 7.0 is pinned
    const p = run(['--port', '0', '--firmware', '7.0', '--user', 'ops', '--password', 's3cret', '--tls', '--scenario', '--ha', '--boot-time', '100']);
    const url = await p.url;
    url.should.startWith('https://');
    p.output().should.match(/user "ops", password "s3cret"/);
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const sim = { url };
      const r = await api(sim, 'GET', '/api/v1/status', { auth: 'Basic ' + Buffer.from('ops:s3cret').toString('base64'), dispatcher: agent });
      r.status.should.equal(200);
      r.json.highAvailability.should.equal('Active');
      (await api(sim, 'GET', '/api/v1/status', { dispatcher: agent })).status.should.equal(401); // Admin/Admin no longer valid
    } finally {
      await agent.close();
    }
    p.child.kill('SIGINT');
    (await p.exit).code.should.equal(0);
  });

  it('refuses an unknown option with exit code 2', async () => {
    const p = run(['--bogus']);
    await p.url.catch(() => undefined);
    (await p.exit).code.should.equal(2);
    p.output().should.match(/unknown option --bogus/);
  });

  it('control API of a CLI simulator answers too', async () => {
    const p = run(['--port', '0', '--boot-time', '50']);
    const url = await p.url;
    (await ctl({ url }, 'POST', '/alarms', { description: 'Trunk is down' })).status.should.equal(201);
    (await api({ url }, 'GET', '/api/v1/alarms/active')).json.alarms.length.should.equal(1);
    p.child.kill('SIGTERM');
    await p.exit;
  });
});

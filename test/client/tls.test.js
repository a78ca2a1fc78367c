'use strict';
// HTTPS: verification is on unless turned off explicitly; a self-signed
// certificate is refused with a message that says what to do.
const { MediantClient } = require('../../client');
const { simulator, failsWith, ADMIN_PASSWORD } = require('./_common');

describe('client: TLS', function () {
  let sim;
  let plain;

  before(async function () {
    sim = await simulator({ tls: true });
    plain = await simulator();
  });

  after(async function () {
    if (sim) await sim.close();
    if (plain) await plain.close();
  });

  const make = (s, extra) =>
    new MediantClient(Object.assign({ host: s.host, port: s.port, username: 'Admin', password: ADMIN_PASSWORD }, extra));

  it('is HTTPS by default and refuses the self-signed certificate, saying what to do', async function () {
    sim.protocol.should.equal('https');
    const c = make(sim);
    try {
      sim.control.clearLog();
      const err = await failsWith(c.getStatus(), 'ETLS');
      err.message.should.equal(
        "status failed: TLS: the device's certificate is self-signed: give its CA certificate in a tls-config node, or turn verification off there (not recommended)",
      );
      // the handshake failed: no request reached the API
      sim.control.log().filter((e) => e.path.startsWith('/api')).should.eql([]);
    } finally {
      await c.close();
    }
  });

  it('an empty tls object still verifies', async function () {
    const c = make(sim, { tls: {} });
    try {
      await failsWith(c.getStatus(), 'ETLS');
    } finally {
      await c.close();
    }
  });

  it('accepts the certificate when given as the CA', async function () {
    const c = make(sim, { tls: { ca: sim.certificate } });
    try {
      const res = await c.getStatus();
      res.statusCode.should.equal(200);
      res.body.operationalState.should.equal('UNLOCKED');
    } finally {
      await c.close();
    }
  });

  it('accepts it with verification turned off explicitly', async function () {
    const c = make(sim, { tls: { rejectUnauthorized: false } });
    try {
      (await c.getStatus()).statusCode.should.equal(200);
    } finally {
      await c.close();
    }
  });

  it('keeps verifying when rejectUnauthorized is anything but false', async function () {
    const c = make(sim, { tls: { rejectUnauthorized: undefined } });
    try {
      await failsWith(c.getStatus(), 'ETLS');
    } finally {
      await c.close();
    }
  });

  it('explains HTTPS spoken to a plain-HTTP port', async function () {
    const c = make(plain, { protocol: 'https' });
    try {
      const err = await failsWith(c.getStatus(), 'ETLS');
      err.message.should.match(/is that port serving HTTPS\? \(for plain HTTP set the protocol to http\)/);
    } finally {
      await c.close();
    }
  });

  it('explains plain HTTP spoken to an HTTPS port', async function () {
    const c = make(sim, { protocol: 'http' });
    try {
      const err = await failsWith(c.getStatus(), 'ENETWORK');
      err.message.should.equal(`status failed: network: ${sim.host}:${sim.port} serves HTTPS, not plain HTTP: set the protocol to https (it closed the connection on the plain HTTP request)`);
      err.failure.should.equal('wrongProtocol');
    } finally {
      await c.close();
    }
  });

  it('a port that closes without speaking TLS is still "connection dropped"', async function () {
    const net = require('node:net');
    const server = net.createServer((s) => s.destroy());
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const c = make({ host: '127.0.0.1', port: server.address().port }, { protocol: 'http' });
    try {
      const err = await failsWith(c.getStatus(), 'ENETWORK');
      err.message.should.match(/connection dropped by 127\.0\.0\.1:\d+ before a complete answer/);
      err.failure.should.equal('dropped');
    } finally {
      await c.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('uploads over HTTPS with the CA given', async function () {
    const c = make(sim, { tls: { ca: sim.certificate } });
    try {
      const res = await c.uploadFile('dialplan', Buffer.alloc(300 * 1024, 7));
      res.statusCode.should.equal(200);
      sim.control.state().uploads.slice(-1)[0].bytes.should.equal(300 * 1024);
    } finally {
      await c.close();
    }
  });
});

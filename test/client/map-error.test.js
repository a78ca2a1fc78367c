'use strict';
// Failures that cannot be produced on loopback (DNS, routing, certificate
// dates) still get their plain-words message: the mapping is checked with
// errors shaped as Node and undici raise them.
require('should');
const { mapError } = require('../../client/map-error');

const ctx = { operation: 'status', target: 'sbc.example.net:443', host: 'sbc.example.net', timeoutMs: 30000 };
const coded = (code) => Object.assign(new Error(`low-level text ${code}`), { code });

describe('client: error mapping', function () {
  const cases = [
    ['ENOTFOUND', 'ENETWORK', 'status failed: network: host name not found (DNS): sbc.example.net'],
    ['EAI_AGAIN', 'ENETWORK', 'status failed: network: host name not found (DNS): sbc.example.net'],
    ['EHOSTUNREACH', 'ENETWORK', 'status failed: network: sbc.example.net:443 is unreachable (no route to the host)'],
    ['ENETUNREACH', 'ENETWORK', 'status failed: network: sbc.example.net:443 is unreachable (no route to its network)'],
    ['ECONNRESET', 'ENETWORK', 'status failed: network: connection dropped by sbc.example.net:443 before a complete answer'],
    ['UND_ERR_CONNECT_TIMEOUT', 'ETIMEOUT', 'status failed: timeout: no answer to the connection attempt from sbc.example.net:443 within 30 s'],
    ['UND_ERR_BODY_TIMEOUT', 'ETIMEOUT', 'status failed: timeout: no complete answer from sbc.example.net:443 within 30 s'],
    ['CERT_HAS_EXPIRED', 'ETLS', "status failed: TLS: the device's certificate has expired: renew it on the device (and check this host's clock)"],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ETLS', "status failed: TLS: the device's certificate was issued by a CA that is not trusted here: give that CA certificate in a tls-config node, or turn verification off there (not recommended)"],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'ETLS', null],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'ETLS', null],
    ['EPROTO', 'ETLS', null],
    ['UND_ERR_ABORTED', 'EABORTED', 'status cancelled'],
  ];
  for (const [code, mediantCode, message] of cases) {
    it(`${code} -> ${mediantCode}`, function () {
      const err = mapError(coded(code), ctx);
      err.code.should.equal(mediantCode);
      err.operation.should.equal('status');
      err.message.should.not.containEql('low-level text');
      if (message) err.message.should.equal(message);
    });
  }

  it('looks inside an AggregateError (several addresses tried)', function () {
    const agg = Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'x'), {});
    mapError(agg, ctx).message.should.equal('status failed: network: connection refused by sbc.example.net:443 (is the device up and the port right?)');
  });

  it('anything unknown is still a MediantError, named by its code only', function () {
    const err = mapError(new TypeError('something odd with secret bytes'), ctx);
    err.code.should.equal('ENETWORK');
    err.message.should.not.containEql('secret');
  });
});

'use strict';
// Devices (or what sits in front of them) that misbehave in ways the faithful
// simulator never does: a login page answered with 200, a cursor that never
// advances, a JSON array where an object belongs, an answer that declares a
// length over the cap. A small server on 127.0.0.1 plays that device.
const http = require('node:http');
const should = require('should');
const { MediantClient } = require('../../client');
const { failsWith, ADMIN_PASSWORD } = require('./_common');

describe('client: a misbehaving device', function () {
  let server;
  let client;
  const seen = [];

  before(async function () {
    server = http.createServer((req, res) => {
      seen.push(req.url);
      const send = (status, type, body, extra) => {
        res.writeHead(status, Object.assign({ 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }, extra));
        res.end(body);
      };
      switch (req.url.split('?')[0]) {
        case '/api/v1/status':
          return send(200, 'text/html; charset=utf-8', '<html><body><form>Login</form></body></html>');
        case '/api/v1/license':
          return send(200, 'application/json', '[1,2,3]');
        case '/api/v1/alarms/active':
          // always the same page and the same "after": a loop if followed blindly
          return send(200, 'application/json', JSON.stringify({ alarms: [{ id: '1', description: 'x', url: '/api/v1/alarms/active/1' }], cursor: { after: '1', before: '-1' } }));
        case '/api/v1/alarms/history':
          return send(200, 'application/json', JSON.stringify({ alarms: [{ id: '7', description: 'y', url: '' }], cursor: { after: '../../actions/reset', before: '-1' } }));
        case '/api/v1/performanceMonitoring':
          // declares 1 GiB: refused from the header, nothing more is read
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(1024 * 1024 * 1024) });
          res.write('{"items":[');
          return undefined;
        case '/api/v1/actions/reset':
          return send(409, 'application/json', JSON.stringify({ description: `Busy\r\n${'x'.repeat(1000)}` }));
        default:
          return send(404, 'text/plain', 'nope');
      }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    client = new MediantClient({ host: '127.0.0.1', port: server.address().port, protocol: 'http', username: 'Admin', password: ADMIN_PASSWORD, maxResponseBytes: 1024 * 1024 });
  });

  after(async function () {
    if (client) await client.destroy();
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('an HTML page where JSON was expected is named as such, without its content', async function () {
    const err = await failsWith(client.getStatus(), 'ERESPONSE');
    err.message.should.equal('status failed: bad response: expected JSON, got text/html');
  });

  it('a JSON array where an object belongs', async function () {
    const err = await failsWith(client.getLicense(), 'ERESPONSE');
    err.message.should.equal('read license failed: bad response: expected a JSON object');
  });

  it('a cursor that does not advance stops the iteration with an error', async function () {
    const ids = [];
    let err;
    try {
      for await (const a of client.iterateAlarms('active')) ids.push(a.id);
    } catch (e) {
      err = e;
    }
    should.exist(err);
    err.code.should.equal('ERESPONSE');
    err.message.should.match(/cursor did not advance/);
    ids.should.eql(['1', '1']);
  });

  it('a cursor that is not a number is refused, not followed', async function () {
    seen.length = 0;
    const err = await failsWith(client.getAlarmPage('history'), 'ERESPONSE');
    err.message.should.match(/cursor that is not a number/);
    seen.should.eql(['/api/v1/alarms/history']);
  });

  it('a declared length over the cap is refused at the headers', async function () {
    const err = await failsWith(client.listPms(), 'ERESPONSE');
    err.message.should.equal('read PM list failed: bad response: response larger than 1 MiB');
  });

  it('a long device description is cut and kept on one line', async function () {
    const err = await failsWith(client.reset(), 'EHTTP');
    err.message.should.startWith('reset failed: 409 Conflict: Busy x');
    err.message.should.not.match(/[\r\n]/);
    err.description.length.should.be.below(310);
  });
});

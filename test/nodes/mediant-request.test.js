'use strict';
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');
const { hasFeature } = require('../helpers/sim');

const requestNode = require('../../nodes/mediant-request.js');

const NODE = { id: 'n1', type: 'mediant-request', name: '', method: 'GET', path: '/status' };

describe('mediant-request node', function () {
  const env = useSimulator();

  afterEach(function () {
    // one test raises an alarm; the next starts without it
    env.sim.control.clearAllAlarms();
  });

  const calls = () => apiLog(env.sim).map((e) => `${e.method} ${e.path}`);

  it('GET sends parsed JSON, statusCode, headers and device, keeping the other msg properties', async function () {
    await load([requestNode], flowFor(env.sim, [NODE], { name: 'lab-sbc' }));
    const statuses = recordStatus('n1');
    const r = await send('n1', { _msgid: 'm1', topic: 'x', payload: Date.now(), keep: 'me' });
    should(r.out).be.ok();
    should(r.out.payload).have.property('operationalState');
    should(r.out.statusCode).equal(200);
    should(r.out.responseHeaders['content-type']).match(/^application\/json/);
    should(r.out).not.have.property('headers');
    should(r.out.device).equal('lab-sbc');
    should([r.out._msgid, r.out.topic, r.out.keep]).eql(['m1', 'x', 'me']);
    // GET sends no body, even when msg.payload holds an inject timestamp
    should(apiLog(env.sim).map((e) => [e.method, e.path, e.bytes])).eql([['GET', '/api/v1/status', 0]]);
    should(statuses[statuses.length - 1]).have.properties({ fill: 'green' });
    should(statuses[statuses.length - 1].text).startWith('GET 200');
    assertNoSecret([r.out, statuses, logLines()]);
  });

  it('the navigation tree at / (and a leading /api/v1 is allowed)', async function () {
    await load([requestNode], flowFor(env.sim, [{ ...NODE, path: '/' }]));
    const r = await send('n1', {});
    should(r.out.payload.items.map((i) => i.id)).containEql('status');
    const r2 = await send('n1', { path: '/api/v1/actions' });
    should(r2.out.payload.actions.map((a) => a.id)).eql([...(hasFeature('authToken') ? ['authToken'] : []), 'reset', 'saveConfiguration']);
    should(calls()).eql(['GET /api/v1', 'GET /api/v1/actions']);
  });

  it('a file answer arrives as a Buffer', async function () {
    await load([requestNode], flowFor(env.sim, [{ ...NODE, path: '/files/ini' }]));
    const r = await send('n1', {});
    should(Buffer.isBuffer(r.out.payload)).be.true();
    should(r.out.payload.toString('utf8')).match(/\[SYSTEM Params\]/);
  });

  it('204 (nothing there) sends payload null', async function () {
    // a page after a cursor with nothing there: 204 on every firmware
    await load([requestNode], flowFor(env.sim, [{ ...NODE, path: '/alarms/active?after=1' }]));
    const r = await send('n1', {});
    should(r.out.statusCode).equal(204);
    should(r.out.payload).be.null();
  });

  it('msg.method and msg.path override the node (any letter case), with a query string', async function () {
    await load([requestNode], flowFor(env.sim, [NODE]));
    env.sim.control.raiseAlarm({ description: 'Board fatal error' });
    const r = await send('n1', { method: 'get', path: '/alarms/active?limit=1' });
    should(r.out.statusCode).equal(200);
    should(r.out.payload.alarms).have.length(1);
    const r2 = await send('n1', { method: 'POST', path: '/actions/saveConfiguration', payload: null });
    should(r2.out.statusCode).equal(200);
    should(calls()).eql(['GET /api/v1/alarms/active?limit=1', 'POST /api/v1/actions/saveConfiguration']);
  });

  it('PUT sends a string payload as application/octet-stream', async function () {
    await load([requestNode], flowFor(env.sim, [{ ...NODE, method: 'PUT', path: '/files/ini/incremental' }]));
    const body = '[SYSTEM Params]\nNTPServerIP = 10.7.7.7\n';
    const r = await send('n1', { payload: body });
    should(r.out.statusCode).equal(200);
    should(env.sim.control.state().ini).containEql('NTPServerIP = 10.7.7.7');
    const up = env.sim.control.state().uploads.pop();
    should(up.contentType).match(/^application\/octet-stream/);
    should(up.bytes).equal(Buffer.byteLength(body));
  });

  it('POST sends an object payload as JSON: the device reads it (400 for the bad reset attribute)', async function () {
    await load([requestNode], flowFor(env.sim, [{ ...NODE, method: 'POST', path: '/actions/reset' }]));
    const r = await send('n1', { payload: { gracefulTimeout: 'abc' }, topic: 't' });
    should(r.caught).be.ok();
    should(r.caught.statusCode).equal(400);
    should(r.caught.error.message).equal('POST /actions/reset failed: 400 Bad Request: Invalid value of attribute "gracefulTimeout": expected a number of seconds >= 0');
    should(r.caught.topic).equal('t');
    should(env.sim.control.state().up).be.true();
  });

  describe('device errors reach the Catch node with its description', function () {
    it('404 for an unknown path', async function () {
      await load([requestNode], flowFor(env.sim, [{ ...NODE, path: '/nothing/here' }]));
      const statuses = recordStatus('n1');
      const r = await send('n1', {});
      should(r.caught.statusCode).equal(404);
      should(r.caught.error.message).equal('GET /nothing/here failed: 404 Not Found');
      should(statuses[statuses.length - 1].text).startWith('404 Not Found');
    });

    it('with 404 set to "a result", a 404 goes to the output with a green status; other errors still to Catch', async function () {
      await load([requestNode], flowFor(env.sim, [{ ...NODE, path: '/nothing/here', notFound: 'output' }]));
      const statuses = recordStatus('n1');
      const r = await send('n1', { topic: 't' });
      should(r.out).match({ statusCode: 404, payload: null, topic: 't', device: `127.0.0.1:${env.sim.port}` });
      should(statuses[statuses.length - 1]).match({ fill: 'green', shape: 'dot', text: /^GET 404 Not Found · / });
      const bad = await send('n1', { method: 'DELETE', path: '/status' });
      should(bad.caught.statusCode).equal(405);
    });

    it('405 for a method the resource does not take', async function () {
      await load([requestNode], flowFor(env.sim, [{ ...NODE, method: 'DELETE' }]));
      const r = await send('n1', {});
      should(r.caught.statusCode).equal(405);
      should(r.caught.error.message).equal('DELETE /status failed: 405 Method Not Allowed');
    });

    it('401 for a wrong password, without the password', async function () {
      await load([requestNode], flowFor(env.sim, [NODE]), { dev1: { username: 'Admin', password: 'bad-pass-999' } });
      const r = await send('n1', {});
      should(r.caught.statusCode).equal(401);
      should(r.caught.error.message).match(/^GET \/status failed: 401 Unauthorized/);
      assertNoSecret([r.caught, logLines()], 'bad-pass-999');
    });
  });

  describe('refuses bad input before any request', function () {
    const cases = [
      [{ path: '../actions/reset' }, 'msg.path must be a path under /api/v1 (no . or .. segment), got "../actions/reset"'],
      [{ path: '/status/../actions/reset' }, 'msg.path must be a path under /api/v1 (no . or .. segment), got "/status/../actions/reset"'],
      [{ path: 'http://10.0.0.1/api/v1/status' }, 'msg.path must be a path under /api/v1 (only letters, digits and . _ ~ - / in the path), got "http://10.0.0.1/api/v1/status"'],
      [{ path: '//10.0.0.1/x' }, 'msg.path must be a path under /api/v1 (no empty segment or host), got "//10.0.0.1/x"'],
      [{ path: 42 }, 'msg.path must be a non-empty string, got 42'],
      [{ method: 'PATCH' }, 'msg.method must be one of GET, PUT, POST, DELETE, got "PATCH"'],
      [{ method: 'POST', payload: 1700000000000 }, 'msg.payload must be an object, an array, a Buffer, a string or null (no body) for POST, got 1700000000000'],
    ];
    for (const [msg, message] of cases) {
      it(JSON.stringify(msg), async function () {
        await load([requestNode], flowFor(env.sim, [NODE]));
        const r = await send('n1', { ...msg, topic: 't' });
        should(r.caught).be.ok();
        should(r.caught.error.message).equal(message);
        should(r.caught.topic).equal('t');
        should(apiLog(env.sim)).have.length(0);
      });
    }

    it('a node without a path', async function () {
      await load([requestNode], flowFor(env.sim, [{ ...NODE, path: '' }]));
      const r = await send('n1', {});
      should(r.caught.error.message).equal('property path must be a non-empty string, got ""');
      should(apiLog(env.sim)).have.length(0);
    });
  });
});

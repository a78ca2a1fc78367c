'use strict';
// KPI and test call answers in shapes the simulator does not send but a
// device (or another build) may: ids and cursors as JSON numbers, extra
// cursor keys, a cursor that never advances, odd field types. A small server
// on 127.0.0.1 plays that device.
const http = require('node:http');
const should = require('should');
const { MediantClient } = require('../../client');
const { failsWith, ADMIN_PASSWORD } = require('./_common');

describe('client: a 7.x device with odd shapes', function () {
  let server;
  let client;
  const answers = new Map();
  /** The answer to a request: from `answers` (by URL, else by path) unless a test sets its own. */
  let answer;
  /** Every request: method, url, headers. */
  const seen = [];
  const fromAnswers = (url) => answers.get(url) ?? answers.get(url.split('?')[0]) ?? { status: 404, body: { errorDescription: 'nope' } };

  before(async function () {
    server = http.createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      req.resume();
      const a = answer(req.url, req);
      const body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    client = new MediantClient({ host: '127.0.0.1', port: server.address().port, protocol: 'http', username: 'Admin', password: ADMIN_PASSWORD });
  });

  after(async function () {
    if (client) await client.destroy();
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  beforeEach(() => {
    answers.clear();
    answer = fromAnswers;
    seen.length = 0;
  });

  it('KPI ids and cursors sent as numbers are strings; unknown cursor keys are left out; an odd id drops the id, not the item', async function () {
    answers.set('/api/v1/kpi/current/sbc/callStats/ipGroup', {
      status: 200,
      body: { items: [{ id: 0, name: 'Teams' }, { id: { toString: 1 }, name: 'odd' }, 'junk', null], cursor: { start: 0, before: -1, after: -1, end: 1, page: { x: 1 } } },
    });
    const r = await client.listKpi('current/sbc/callStats/ipGroup');
    r.body.items.should.eql([{ id: '0', name: 'Teams' }, { name: 'odd' }]);
    r.body.cursor.should.eql({ after: '-1', before: '-1', start: '0', end: '1' });
  });

  it('a KPI cursor that does not advance stops the read with an error, not a loop', async function () {
    answers.set('/api/v1/kpi/current/sbc/callStats/global', { status: 200, body: { items: [{ id: 'a', value: 1 }], cursor: { after: 'a', before: '-1' } } });
    answers.set('/api/v1/kpi/current/sbc/callStats/global?after=a', { status: 200, body: { items: [{ id: 'a', value: 1 }], cursor: { after: 'a', before: '-1' } } });
    const err = await failsWith(client.getKpiCurrent('sbc/callStats/global'), 'ERESPONSE');
    err.message.should.equal('read current KPIs failed: bad response: the device\'s "after" cursor did not advance (a); stopped to avoid a loop');
  });

  it('a KPI cursor that is not an id, or items that are not a list, are a bad response', async function () {
    answers.set('/api/v1/kpi/current/a/b/c', { status: 200, body: { items: [], cursor: { after: '../../status', before: '-1' } } });
    (await failsWith(client.getKpiCurrent('a/b/c'), 'ERESPONSE')).message.should.endWith('the device sent a KPI cursor that is not an id');
    answers.set('/api/v1/kpi/current/a/b/d', { status: 200, body: { items: { 0: 1 } } });
    (await failsWith(client.getKpiCurrent('a/b/d'), 'ERESPONSE')).message.should.endWith('KPI listing whose "items" is not a list');
  });

  it('a page limit ends a listing that never ends', async function () {
    let n = 0;
    answer = () => {
      n++;
      return { status: 200, body: { items: [{ id: `k${n}`, value: n }], cursor: { after: `k${n}`, before: '-1' } } };
    };
    const err = await failsWith(client.getKpiCurrent('x/y/z', { maxPages: 5 }), 'ERESPONSE');
    err.message.should.endWith('the device sent more than 5 pages of KPIs; stopped there');
    n.should.equal(5);
  });

  it('a session id sent as a string of digits is taken; anything else is a bad response', async function () {
    answers.set('/api/v1/sipTestCall/dial', { status: 200, body: { sessionId: '577121441' } });
    (await client.dialTestCall({ calledNumber: '1', callingNumber: '2', destIpGroup: '1' })).body.sessionId.should.equal('577121441');
    answers.set('/api/v1/sipTestCall/dial', { status: 200, body: { sessionId: 'abc/../x' } });
    (await failsWith(client.dialTestCall({ calledNumber: '1', callingNumber: '2', destIpGroup: '1' }), 'ERESPONSE')).message.should.endWith('the device did not send a session id of digits');
  });

  it('a status with a numeric release cause is final; one without callStatus is a bad response', async function () {
    answers.set('/api/v1/sipTestCall/getStatus?sessionId=7', { status: 200, body: { callStatus: 'Released', releaseCause: 16, callId: { x: 1 }, localStats: 'n/a' } });
    const r = await client.getTestCallStatus('7');
    r.body.should.eql({ callStatus: 'Released', releaseCause: '16' });
    answers.set('/api/v1/sipTestCall/dial', { status: 200, body: { sessionId: 7 } });
    const run = await client.runTestCall({ calledNumber: '1', callingNumber: '2', destIpGroup: '1', timeout: 5 }, { pollIntervalMs: 100 });
    run.body.should.containDeep({ sessionId: '7', connected: false, dropped: false, status: { releaseCause: '16' } });
    answers.set('/api/v1/sipTestCall/getStatus?sessionId=8', { status: 200, body: { state: 'Connected' } });
    (await failsWith(client.getTestCallStatus(8), 'ERESPONSE')).message.should.endWith('test call status without a "callStatus" text');
  });

  it('a status that never ends is dropped when the wait runs out', async function () {
    answers.set('/api/v1/sipTestCall/dial', { status: 200, body: { sessionId: 9 } });
    answers.set('/api/v1/sipTestCall/getStatus?sessionId=9', { status: 200, body: { callStatus: 'Something new' } });
    answers.set('/api/v1/sipTestCall/drop?sessionId=9', { status: 200, body: '' });
    const r = await client.runTestCall({ calledNumber: '1', callingNumber: '2', destAddress: 'h', timeout: 1 }, { pollIntervalMs: 100, maxWaitMs: 300 });
    r.body.should.containDeep({ sessionId: '9', dropped: true, connected: false, status: { callStatus: 'Something new' } });
  });

  it('a download refused with 406 is asked again with text/plain alone, then octet-stream alone', async function () {
    answer = (url, req) => (req.headers.accept === 'application/octet-stream' ? { status: 200, body: '"the ini"' } : { status: 406, body: { description: 'Not acceptable' } });
    const r = await client.downloadFile('ini');
    r.body.should.equal('"the ini"');
    seen.map((x) => x.headers.accept).should.eql(['application/octet-stream, text/plain;q=0.9, */*;q=0.8', 'text/plain', 'application/octet-stream']);
    answer = () => ({ status: 406, body: { description: 'Not acceptable' } });
    const err = await failsWith(client.downloadFile('cliScript'), 'EHTTP');
    err.statusCode.should.equal(406);
  });

  it('alarm pages: numeric ids become strings; a 200 with neither alarms nor a cursor, or alarms that are not a list, is refused', async function () {
    answers.set('/api/v1/alarms/active', { status: 200, body: { alarms: [{ id: 12, description: 'x', url: '' }], cursor: { after: -1, before: -1, start: 12, end: 12, next: 'x' } } });
    const r = await client.getAlarmPage('active');
    r.body.should.eql({ alarms: [{ id: '12', description: 'x', url: '' }], cursor: { after: '-1', before: '-1', start: '12', end: '12' } });
    answers.set('/api/v1/alarms/active/12', { status: 200, body: { id: 12, description: 'x', severity: 'minor', source: 's', date: 'd', url: '' } });
    (await client.getAlarm('active', 12)).body.id.should.equal('12');
    answers.set('/api/v1/alarms/active', { status: 200, body: {} });
    (await failsWith(client.getAlarmPage('active'), 'ERESPONSE')).message.should.endWith('alarm page without an "alarms" list');
    answers.set('/api/v1/alarms/active', { status: 200, body: { alarms: 'none', cursor: { after: '-1' } } });
    (await failsWith(client.getAlarmPage('active'), 'ERESPONSE')).message.should.endWith('alarm page without an "alarms" list');
    answers.set('/api/v1/alarms/active', { status: 200, body: { alarms: null, cursor: { after: '-1', before: '-1' } } });
    (await client.getAlarmPage('active')).body.alarms.should.eql([]);
  });

  it('a CLI script status that is not "success" fails, whatever its type; the password in its output is cut out', async function () {
    answers.set('/api/v1/status', { status: 200, body: { versionID: '7.40A.600.203' } });
    answers.set('/api/v1/files/cliScript/incremental', { status: 200, body: { status: false, description: `denied for ${ADMIN_PASSWORD}`, output: `line 1\r\nError: ${ADMIN_PASSWORD}` } });
    const err = await failsWith(client.runCliScript('show system version'), 'EDEVICE');
    err.deviceStatus.should.equal('false');
    err.message.should.equal('run CLI script failed: the device reports status "false": denied for *** — line 1 Error: ***');
    err.output.should.equal('line 1\r\nError: ***');
    answers.set('/api/v1/files/cliScript/incremental', { status: 200, body: { status: 'Success', output: 'ok' } });
    (await client.runCliScript('show system version')).body.output.should.equal('ok');
    seen.filter((x) => x.method === 'PUT').every((x) => x.headers['content-type'].startsWith('multipart/form-data')).should.be.true();
  });

  it('an upload where /status is refused goes as the raw file, and /status is asked again next time', async function () {
    const c = new MediantClient({ host: '127.0.0.1', port: server.address().port, protocol: 'http', username: 'Admin', password: ADMIN_PASSWORD });
    try {
      answers.set('/api/v1/status', { status: 403, body: { description: 'Forbidden' } });
      answers.set('/api/v1/files/dialplan', { status: 200, body: '' });
      await c.uploadFile('dialplan', 'x');
      await c.uploadFile('dialplan', 'y');
      seen.map((x) => `${x.method} ${x.url} ${x.headers['content-type'] ?? ''}`).should.eql([
        'GET /api/v1/status ',
        'PUT /api/v1/files/dialplan application/octet-stream',
        'GET /api/v1/status ',
        'PUT /api/v1/files/dialplan application/octet-stream',
      ]);
    } finally {
      await c.destroy();
    }
  });

  it('a debug file answer of 204 is "not ready" too', async function () {
    answers.set('/api/v1/files/debugFile', { status: 204, body: '' });
    should((await client.downloadDebugFile()).body).be.null();
  });
});

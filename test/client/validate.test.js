'use strict';
// Every value that goes into a URL is checked before a request exists: the
// refusals here must leave the simulator's request log empty.
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const c = require('../../client');
const { useSimClient, failsWith, settledLog } = require('./_common');

describe('client: values refused before any request', function () {
  const env = useSimClient();

  beforeEach(function () {
    env.sim.control.clearLog();
  });

  afterEach(async function () {
    // The point of every test here: nothing reached the device. A request
    // that slipped through would be logged before this sentinel's answer.
    await env.client.getStatus();
    const entries = await settledLog(env.sim, '/api/v1/status');
    entries.map((e) => `${e.method} ${e.path}`).should.eql(['GET /api/v1/status']);
  });

  const bad = {
    'an alarm id that walks to another endpoint': (x) => x.getAlarm('active', '../actions/reset'),
    'an alarm id with a slash': (x) => x.getAlarm('active', '1/../../actions/reset'),
    'a percent-encoded dot-dot alarm id': (x) => x.getAlarm('history', '%2e%2e'),
    'a negative alarm id': (x) => x.getAlarm('active', '-1'),
    'an alarm id with a query': (x) => x.getAlarm('active', '1?x=1'),
    'an unknown alarm type': (x) => x.getAlarm('cleared', '1'),
    'an alarm type that walks': (x) => x.getAlarmPage('../actions'),
    'a limit of 0': (x) => x.getAlarmPage('active', { limit: 0 }),
    'a limit over 1000': (x) => x.getAlarmPage('active', { limit: 1001 }),
    'a fractional limit': (x) => x.getAlarmPage('active', { limit: 2.5 }),
    'a cursor with a second parameter': (x) => x.getAlarmPage('active', { after: '2&limit=1000' }),
    'a cursor that walks': (x) => x.getAlarmPage('history', { before: '../../status' }),
    'a PM name that walks': (x) => x.getPmDiscovery('../actions/reset'),
    'a PM name with a space': (x) => x.getPmDiscovery('Net Util'),
    'a PM name of 65 characters': (x) => x.getPmDiscovery('A'.repeat(65)),
    'a PM name with a query': (x) => x.getPmValue('NetUtilPackets?index=1', { index: 0 }),
    'a negative PM index': (x) => x.getPmValue('NetUtilPackets', { index: -1 }),
    'a fractional PM index': (x) => x.getPmValue('NetUtilPackets', { index: 1.5 }),
    'a PM index that is text': (x) => x.getPmValue('NetUtilPackets', { index: '0&interval=2' }),
    'a PM interval of 3': (x) => x.getPmValue('NetUtilPackets', { index: 0, interval: 3 }),
    'no PM query': (x) => x.getPmValue('NetUtilPackets'),
    'an unknown file type': (x) => x.uploadFile('firmware', Buffer.from('x')),
    'a file type that walks': (x) => x.uploadFile('../actions/reset', Buffer.from('x')),
    'a download of a file that cannot be downloaded': (x) => x.downloadFile('software'),
    'a path with dot-dot segments': (x) => x.request({ method: 'GET', path: '/../../x' }),
    'a path with a percent-encoded dot-dot': (x) => x.request({ method: 'GET', path: '/%2e%2e/actions/reset' }),
    'a path with an upper-case percent-encoded dot-dot': (x) => x.request({ method: 'POST', path: 'status/%2E%2E/actions/reset' }),
    'a path with a dot segment': (x) => x.request({ method: 'GET', path: '/./status' }),
    'a path with a host': (x) => x.request({ method: 'GET', path: '//127.0.0.1/api/v1/status' }),
    'a path with a scheme': (x) => x.request({ method: 'GET', path: 'http://127.0.0.1/api/v1/status' }),
    'a path with a backslash': (x) => x.request({ method: 'GET', path: '/status\\..\\..\\x' }),
    'a path with a line break': (x) => x.request({ method: 'GET', path: '/status\r\nX-Evil: 1' }),
    'a query with an encoded line break': (x) => x.request({ method: 'GET', path: '/alarms/active?after=%0d%0a' }),
    'a path with a fragment': (x) => x.request({ method: 'GET', path: '/status#x' }),
    'an unknown method': (x) => x.request({ method: 'PATCH', path: '/status' }),
    'a body on GET': (x) => x.request({ method: 'GET', path: '/status', body: { a: 1 } }),
    'gracefulTimeout "abc"': (x) => x.reset({ gracefulTimeout: 'abc' }),
    'a negative gracefulTimeout': (x) => x.reset({ gracefulTimeout: -1 }),
    'saveConfiguration "yes"': (x) => x.reset({ saveConfiguration: 'yes' }),
    'an empty CLI script': (x) => x.runCliScript('   '),
    'a license without key': (x) => x.putLicense({ licenseVersion: 1 }),
    'a license version 0': (x) => x.putLicense({ licenseVersion: 0, key: 'abc' }),
    'an upload body of the wrong kind': (x) => x.uploadFile('ini', 42),
    'a license file that does not exist': (x) => x.putLicenseFile({ path: path.join(os.tmpdir(), 'no-such-license-file.txt') }),
  };

  for (const [what, call] of Object.entries(bad)) {
    it(`refuses ${what}`, async function () {
      const err = await failsWith(call(env.client), 'EINPUT');
      err.should.be.instanceOf(c.MediantInputError);
      err.property.should.be.a.String();
      err.message.should.match(/ must be /);
    });
  }

  it('names the property and what it expects, as the node contract shows', async function () {
    const err = await failsWith(env.client.reset({ gracefulTimeout: 'abc' }), 'EINPUT');
    err.message.should.equal('gracefulTimeout must be an integer >= 0, got "abc"');
    err.operation.should.equal('reset');
  });

  it('names a missing file and its problem', async function () {
    const missing = path.join(os.tmpdir(), `mediant-missing-${process.pid}.ini`);
    const err = await failsWith(env.client.uploadFile('ini', { path: missing }), 'EINPUT');
    err.message.should.equal(`filename must be an existing file, got ${JSON.stringify(missing)}`);
    err.operation.should.equal('upload ini');
  });

  it('names the caller\'s property for a missing file, and shows a long path whole', async function () {
    const missing = path.join(os.tmpdir(), 'a'.repeat(120), `mediant-missing-${process.pid}.ini`);
    const err = await failsWith(env.client.uploadFile('ini', { path: missing }, { filenameProperty: 'msg.filename' }), 'EINPUT');
    err.message.should.equal(`msg.filename must be an existing file, got ${JSON.stringify(missing)}`);
    err.property.should.equal('msg.filename');
  });

  it('refuses a directory as an upload', async function () {
    const err = await failsWith(env.client.uploadFile('software', { path: os.tmpdir() }), 'EINPUT');
    err.message.should.containEql('directory');
  });

  it('refuses the iterator\'s options at the first step, before a request', async function () {
    const it = env.client.iterateAlarms('active', { limit: 5000 });
    await failsWith(it.next(), 'EINPUT');
  });
});

describe('client: validate helpers', function () {
  it('accepts what the document allows and returns what is sent', function () {
    c.checkAlarmId('17').should.equal('17');
    c.checkAlarmId(17).should.equal('17');
    c.checkCursor('-1').should.equal('-1');
    c.checkCursor(-1).should.equal('-1');
    c.checkLimit('20').should.equal(20);
    c.checkPmName('NetUtilPackets').should.equal('NetUtilPackets');
    c.checkPmIndex('3').should.equal(3);
    c.checkPmInterval(2).should.equal(2);
    c.checkFileType('software/hitless').should.equal('software/hitless');
    c.checkDownloadFileType('cliScript').should.equal('cliScript');
    c.checkHost('10.4.219.62').should.equal('10.4.219.62');
    c.checkHost('[::1]').should.equal('::1');
    c.checkHost('sbc-1.example.net').should.equal('sbc-1.example.net');
    c.checkPort('8443').should.equal(8443);
  });

  it('keeps a generic path under /api/v1 and re-encodes its query', function () {
    c.checkApiPath('/alarms').should.equal('/api/v1/alarms');
    c.checkApiPath('alarms/active?limit=5&after=2').should.equal('/api/v1/alarms/active?limit=5&after=2');
    c.checkApiPath('/').should.equal('/api/v1');
    c.checkApiPath('/api/v1/alarms/active/1').should.equal('/api/v1/alarms/active/1');
    c.checkApiPath('/x?a=b c&d=%26e').should.equal('/api/v1/x?a=b%20c&d=%26e');
  });

  it('refuses hosts with a scheme, a port or a path', function () {
    for (const h of ['https://10.0.0.1', '10.0.0.1:443', '10.0.0.1/api', 'user@host', '', ' host', 'a..b']) {
      (() => c.checkHost(h)).should.throw(c.MediantInputError);
    }
  });

  it('uses the caller\'s property name, so nodes can say msg.index', function () {
    (() => c.checkPmIndex('x', 'msg.index')).should.throw('msg.index must be an integer >= 0, got "x"');
    (() => c.checkGracefulTimeout(1.5, 'msg.gracefulTimeout')).should.throw('msg.gracefulTimeout must be an integer >= 0, got 1.5');
  });

  it('never shows a refused password', function () {
    let err;
    try {
      c.checkPassword('Tr0ub4dor\u0000x');
    } catch (e) {
      err = e;
    }
    should.exist(err);
    err.message.should.not.containEql('Tr0ub4dor');
    err.message.should.containEql('not shown');
  });

  it('refuses bad client settings when the client is made', function () {
    const base = { host: '127.0.0.1', username: 'Admin', password: 'x' };
    const tries = [
      { host: 'https://127.0.0.1' },
      { port: 70000 },
      { protocol: 'ftp' },
      { timeout: 0 },
      { connections: 0 },
      { maxResponseBytes: -1 },
      { username: 'a:b' },
      { tls: { ca: 42 } },
      { uploadTimeout: 0 },
      { maxQueued: 0 },
    ];
    for (const t of tries) {
      (() => new c.MediantClient(Object.assign({}, base, t))).should.throw(c.MediantInputError);
    }
  });

  it('a user name holding ":" (user:password typed in one field) is refused without what follows the ":"', function () {
    for (const v of ['Admin:Tr0ub4dor&3', ':Tr0ub4dor&3', `${'a'.repeat(60)}:Tr0ub4dor&3`]) {
      let err;
      try {
        c.checkUsername(v);
      } catch (e) {
        err = e;
      }
      should.exist(err);
      err.message.should.not.containEql('Tr0ub4dor');
      err.message.should.match(/^username must be a non-empty user name without ":", got ".*" followed by ":" and more \(not shown\)$/);
    }
    (() => new c.MediantClient({ host: '127.0.0.1', username: 'Admin:Tr0ub4dor&3', password: '' })).should.throw(/^username must be .* got "Admin" followed by ":" and more \(not shown\)$/);
  });
});

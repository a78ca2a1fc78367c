'use strict';
require('should');
const crypto = require('node:crypto');
const { Readable } = require('node:stream');
const { simPerTest, api, octet, multipart } = require('./_util');

const AUX = ['amd', 'castable', 'codertable', 'cpt', 'dialplan', 'prt', 'voiceprompts'];

/** A deterministic pseudo-random stream of `total` bytes, hashed as it is produced. */
function generated(total, chunk = 256 * 1024, onChunk = () => {}) {
  const hash = crypto.createHash('sha256');
  let sent = 0;
  let seed = 1;
  const stream = new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, total - sent);
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i += 4) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        b.writeUInt32LE(seed, i); // n is a multiple of 4 here
      }
      sent += n;
      hash.update(b);
      onChunk();
      this.push(b);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/** Send a buffer in tiny pieces, so multipart delimiters straddle chunk edges. */
function trickle(buf, size) {
  let i = 0;
  return new Readable({
    read() {
      if (i >= buf.length) this.push(null);
      else {
        this.push(buf.subarray(i, i + size));
        i += size;
      }
    },
  });
}

describe('simulator: files', function () {
  const env = simPerTest();
  const lastUpload = () => env.sim.control.state().uploads.slice(-1)[0];

  it('GET /files/ini and /files/cliScript return the running configuration as octet-stream', async () => {
    const ini = await api(env.sim, 'GET', '/api/v1/files/ini');
    ini.status.should.equal(200);
    ini.headers['content-type'].should.equal('application/octet-stream');
    ini.text.should.match(/^;\*+/);
    ini.text.should.match(/\[SYSTEM Params\]/);
    ini.text.should.equal(env.sim.control.state().ini);
    const cli = await api(env.sim, 'GET', '/api/v1/files/cliScript');
    cli.headers['content-type'].should.equal('application/octet-stream');
    cli.text.should.match(/^configure voip$/m);
    cli.text.should.equal(env.sim.control.state().cliScript);
  });

  it('GET on an upload-only file type is 405', async () => {
    for (const t of ['ini/incremental', 'cliScript/incremental', 'software', 'software/hitless', ...AUX]) {
      const r = await api(env.sim, 'GET', `/api/v1/files/${t}`);
      r.status.should.equal(405, t);
      r.headers.allow.should.equal('PUT');
    }
  });

  it('an empty body is 400 "... is incorrect" for every file type', async () => {
    for (const t of ['ini', 'ini/incremental', 'cliScript', 'cliScript/incremental', 'software', ...AUX]) {
      const r = await api(env.sim, 'PUT', `/api/v1/files/${t}`, octet(''));
      r.status.should.equal(400, t);
      r.json.description.should.match(/ is incorrect/);
    }
    env.sim.control.state().uploads.should.be.empty();
  });

  it('PUT /files/ini: transformed (comments dropped, normalised, header), saved, and the device resets', async () => {
    const file = '; my comment\n[SYSTEM Params]\nSyslogServerIP=10.7.7.7\n  EnableSyslog   =   0  \n# another\n[ IPGroup ]\nFORMAT IPGroup_Index = IPGroup_Name;\nIPGroup 5 = "X";\n[ \\IPGroup ]\n';
    const r = await api(env.sim, 'PUT', '/api/v1/files/ini', octet(file));
    r.status.should.equal(200);
    r.json.should.deepEqual({ description: 'Device will reset now to activate new configuration' });
    env.sim.control.state().up.should.be.false();
    await env.sim.control.waitUntilUp();
    const text = (await api(env.sim, 'GET', '/api/v1/files/ini')).text;
    text.should.not.equal(file);
    text.should.match(/^;\*+\r\n;\*\* Ini File \*\*/);
    text.should.match(/SyslogServerIP = 10\.7\.7\.7/);
    text.should.match(/EnableSyslog = 0/);
    text.should.match(/IPGroup 5 = "X";/);
    text.should.match(/\[ \\IPGroup \]/);
    text.should.not.match(/my comment|another/);
    text.should.not.match(/NTPServerIP/); // a full file replaces the configuration
    env.sim.control.state().unsaved.should.be.false();
    lastUpload().should.have.properties({ fileType: 'ini', bytes: Buffer.byteLength(file) });
  });

  it('PUT /files/ini/incremental: 200 with an empty body, applied to running config without reset', async () => {
    const r = await api(env.sim, 'PUT', '/api/v1/files/ini/incremental', octet('enablesyslog = 0\nBrandNew = abc\n'));
    r.status.should.equal(200);
    r.text.should.equal('');
    env.sim.control.state().up.should.be.true();
    env.sim.control.state().bootCount.should.equal(1);
    const text = (await api(env.sim, 'GET', '/api/v1/files/ini')).text;
    text.should.match(/EnableSyslog = 0/); // existing parameter updated in place, names case-insensitive
    text.should.match(/BrandNew = abc/);
    env.sim.control.state().unsaved.should.be.true();
  });

  it('400 for an incorrect INI file, nothing applied', async () => {
    for (const bad of ['just words\n', '= value\n', 'A = 1\n\u0000\n', Buffer.from([0xff, 0xfe, 0x41]), '; only a comment\n']) {
      for (const t of ['ini', 'ini/incremental']) {
        const r = await api(env.sim, 'PUT', `/api/v1/files/${t}`, octet(bad));
        r.status.should.equal(400, `${t}: ${bad}`);
        r.json.description.should.match(/INI file is incorrect/);
      }
    }
    env.sim.control.state().unsaved.should.be.false();
    env.sim.control.state().bootCount.should.equal(1);
  });

  it('PUT /files/cliScript: transformed (comments dropped, header), saved, and the device resets', async () => {
    const script = '# comment\nconfigure system\n   hostname    "new-name"\nexit\nconfigure voip\n ip-group 9\n  name "Nine"\n exit\nexit\n';
    const r = await api(env.sim, 'PUT', '/api/v1/files/cliScript', octet(script));
    r.status.should.equal(200);
    r.json.should.deepEqual({ description: 'Device will reset now to activate new configuration' });
    await env.sim.control.waitUntilUp();
    const text = (await api(env.sim, 'GET', '/api/v1/files/cliScript')).text;
    text.should.match(/^## Mediant SW CLI configuration script/);
    text.should.match(/^ hostname "new-name"$/m);
    text.should.match(/^ ip-group 9\r\n  name "Nine"\r\n  activate\r\n exit$/m);
    text.should.not.match(/# comment/);
    text.should.not.match(/proxy-set/); // replaced, not merged
    // what the device writes it takes back unchanged
    (await api(env.sim, 'PUT', '/api/v1/files/cliScript', octet(text))).status.should.equal(200);
    await env.sim.control.waitUntilUp();
    (await api(env.sim, 'GET', '/api/v1/files/cliScript')).text.should.equal(text);
  });

  it('PUT /files/cliScript/incremental: the documented answer, show output, configuration applied', async () => {
    env.sim.control.raiseAlarm({ description: 'Trunk is down', source: 'Trunk#1' });
    let r = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('show system uptime\n'));
    r.status.should.equal(200);
    r.json.description.should.equal('Incremental CLI script file was loaded');
    r.json.output.should.match(/^Uptime: \d+ days, \d+ hours, \d+ minutes, \d+ seconds$/);
    r = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('show active-alarms\n'));
    r.json.output.should.match(/Trunk#1/);
    r.json.output.should.match(/Trunk is down/);
    r = await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('configure voip\n ip-group 1\n  name "Renamed"\n exit\n ip-group 7\n  name "Seven"\n exit\nexit\nshow running-config voip\n'));
    r.status.should.equal(200);
    r.json.output.should.match(/name "Renamed"/);
    r.json.output.should.match(/ip-group 7/);
    r.json.output.should.not.match(/name "ITSP"/);
    r.json.output.should.not.match(/configure system/);
    (await api(env.sim, 'GET', '/api/v1/files/cliScript')).text.should.match(/name "Seven"/);
    // "no" removes
    await api(env.sim, 'PUT', '/api/v1/files/cliScript/incremental', octet('configure voip\n no ip-group 7\nexit\n'));
    (await api(env.sim, 'GET', '/api/v1/files/cliScript')).text.should.not.match(/ip-group 7/);
    env.sim.control.state().bootCount.should.equal(1);
    env.sim.control.state().unsaved.should.be.true();
  });

  it('400 for an incorrect CLI script (unknown show, command outside configure, control characters), nothing applied', async () => {
    const before = env.sim.control.state().cliScript;
    const bad = [
      'show nonsense\n',
      'show\n',
      'configure voip\n ip-group 1\n  name "X"\n exit\nexit\nshow bogus-thing\n', // checked whole: the ip-group change is not applied either
      'hostname "x"\n',
      'configure voip\n name "a\u0007b"\nexit\n',
      '# only comments\n',
    ];
    for (const t of ['cliScript', 'cliScript/incremental']) {
      for (const s of bad) {
        const r = await api(env.sim, 'PUT', `/api/v1/files/${t}`, octet(s));
        r.status.should.equal(400, `${t}: ${JSON.stringify(s)}`);
        r.json.description.should.match(/CLI script is incorrect/);
      }
    }
    env.sim.control.state().cliScript.should.equal(before);
    env.sim.control.state().bootCount.should.equal(1);
  });

  it('PUT /files/software: recorded (bytes, sha256), answers the documented description and resets', async () => {
    const data = crypto.randomBytes(100000);
    const r = await api(env.sim, 'PUT', '/api/v1/files/software', octet(data));
    r.status.should.equal(200);
    r.json.should.deepEqual({ description: 'Device will reset now to activate new software load' });
    lastUpload().should.have.properties({ fileType: 'software', bytes: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex'), contentType: 'application/octet-stream' });
    env.sim.control.state().up.should.be.false();
    await env.sim.control.waitUntilUp();
  });

  it('PUT /files/software/hitless: 409 outside HA mode, accepted in HA mode without going down', async () => {
    let r = await api(env.sim, 'PUT', '/api/v1/files/software/hitless', octet('load'));
    r.status.should.equal(409);
    r.json.description.should.match(/HA/);
    env.sim.control.setHaMode(true);
    r = await api(env.sim, 'PUT', '/api/v1/files/software/hitless', octet('load'));
    r.status.should.equal(200);
    r.json.should.deepEqual({ description: 'Device will perform switchover to activate new software load' });
    env.sim.control.state().up.should.be.true();
    lastUpload().fileType.should.equal('software/hitless');
  });

  it('the seven auxiliary files are accepted and recorded', async () => {
    for (const t of AUX) {
      const r = await api(env.sim, 'PUT', `/api/v1/files/${t}`, octet(`${t} content`));
      r.status.should.equal(200, t);
      r.json.description.should.match(/was loaded$/);
      lastUpload().should.have.properties({ fileType: t, bytes: Buffer.byteLength(`${t} content`) });
    }
    env.sim.control.state().up.should.be.true();
  });

  it('a streamed 64 MiB upload is counted and hashed (sha256) correctly', async () => {
    const g = generated(64 * 1024 * 1024);
    const r = await api(env.sim, 'PUT', '/api/v1/files/voiceprompts', octet(g.stream));
    r.status.should.equal(200);
    lastUpload().should.have.properties({ fileType: 'voiceprompts', bytes: 64 * 1024 * 1024, sha256: g.digest() });
    const entry = env.sim.control.log().slice(-1)[0];
    entry.should.have.properties({ method: 'PUT', path: '/api/v1/files/voiceprompts', status: 200, bytes: 64 * 1024 * 1024 });
  });

  it('a 256 MiB upload does not grow memory by anything like its size (never held whole)', async () => {
    global.gc && global.gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    let n = 0;
    const g = generated(256 * 1024 * 1024, 256 * 1024, () => {
      if (++n % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    });
    const r = await api(env.sim, 'PUT', '/api/v1/files/amd', octet(g.stream));
    r.status.should.equal(200);
    lastUpload().sha256.should.equal(g.digest());
    (peak - before).should.be.below(128 * 1024 * 1024);
  });

  it('multipart/form-data: only the part named "file" is counted and hashed, whatever the chunking', async () => {
    const file = Buffer.concat([Buffer.from('line one\r\n--not-the-boundary\r\n'), crypto.randomBytes(5000), Buffer.from('\r\n--bound')]);
    const boundary = 'XyZ-boundary-123';
    const body = multipart(boundary, [
      { name: 'comment', data: 'hello' },
      { name: 'file', filename: 'load.cmp', data: file },
      { name: 'after', data: 'x' },
    ]);
    for (const size of [1, 7, 64, body.length]) {
      const r = await api(env.sim, 'PUT', '/api/v1/files/software/hitless', {
        body: trickle(body, size),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      if (r.status === 409) {
        env.sim.control.setHaMode(true);
        continue;
      }
      r.status.should.equal(200, `chunk ${size}`);
      lastUpload().should.have.properties({ bytes: file.length, sha256: crypto.createHash('sha256').update(file).digest('hex') });
      lastUpload().contentType.should.match(/^multipart\/form-data/);
    }
    env.sim.control.state().uploads.length.should.equal(3);
  });

  it('multipart: an INI file part is applied; no "file" part or a truncated body is 400', async () => {
    const boundary = 'b0undary';
    let r = await api(env.sim, 'PUT', '/api/v1/files/ini/incremental', {
      body: multipart(boundary, [{ name: 'file', filename: 'x.ini', data: 'MultipartParam = 42\n' }]),
      headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
    });
    r.status.should.equal(200);
    (await api(env.sim, 'GET', '/api/v1/files/ini')).text.should.match(/MultipartParam = 42/);
    r = await api(env.sim, 'PUT', '/api/v1/files/cpt', {
      body: multipart(boundary, [{ name: 'other', data: 'abc' }]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    r.status.should.equal(400);
    r.json.description.should.match(/is incorrect: no part named "file"/);
    const whole = multipart(boundary, [{ name: 'file', data: 'abc' }]);
    r = await api(env.sim, 'PUT', '/api/v1/files/cpt', {
      body: whole.subarray(0, whole.length - 10),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    r.status.should.equal(400);
    r = await api(env.sim, 'PUT', '/api/v1/files/cpt', { body: 'abc', headers: { 'content-type': 'multipart/form-data' } });
    r.status.should.equal(400);
  });
});

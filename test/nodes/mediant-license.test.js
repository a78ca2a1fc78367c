'use strict';
const should = require('should');
const { useSimulator, helper, flowFor, load, send, recordStatus, apiLog, assertNoSecret, logLines } = require('../helpers/mediant-flow');
const { uploadTypeOf } = require('../helpers/sim');

const licenseNode = require('../../nodes/mediant-license.js');

const SERIAL = '277522263687112';
const NODE = { id: 'n1', type: 'mediant-license', name: '', action: 'get' };

describe('mediant-license node', function () {
  const env = useSimulator({ serialNumber: SERIAL });

  const licenseCalls = () => apiLog(env.sim).filter((e) => e.path === '/api/v1/license');

  it('get: sends the license, statusCode and device, keeping the other msg properties', async function () {
    await load([licenseNode], flowFor(env.sim, [NODE], { name: 'lab-sbc' }));
    const statuses = recordStatus('n1');
    const r = await send('n1', { _msgid: 'm1', topic: 'lic', payload: 'x', keep: 1 });
    should(r.out).be.ok();
    should(r.out.payload).have.properties({ licenseVersion: 1, serialNumber: SERIAL });
    should(r.out.payload.key).be.a.String().and.not.be.empty();
    should(r.out.payload.keyDescription).be.a.String();
    should(r.out.statusCode).equal(200);
    should(r.out.device).equal('lab-sbc');
    should([r.out._msgid, r.out.topic, r.out.keep]).eql(['m1', 'lic', 1]);
    should(licenseCalls().map((e) => e.method)).eql(['GET']);
    should(statuses[statuses.length - 1].fill).equal('green');
    assertNoSecret([r.out, statuses, logLines()]);
  });

  it('put with an object payload sends the key as JSON; the device takes it and resets', async function () {
    await load([licenseNode], flowFor(env.sim, [{ ...NODE, action: 'put' }]));
    const boots = env.sim.control.state().bootCount;
    const r = await send('n1', { payload: { licenseVersion: 1, serialNumber: SERIAL, key: 'NEWKEYabc123' } });
    should(r.out).be.ok();
    should(r.out.payload).eql({ description: 'Device will reset now to activate new license' });
    should(r.out.statusCode).equal(200);
    should(env.sim.control.state().license.key).equal('NEWKEYabc123');
    should(env.sim.control.state().bootCount).equal(boots + 1);
    should(licenseCalls().map((e) => e.method)).eql(['PUT']);
  });

  it(`put with a string payload sends it as a license file (${uploadTypeOf()})`, async function () {
    await load([licenseNode], flowFor(env.sim, [{ ...NODE, action: 'put' }]));
    const file = `# two devices\n999999999999999 OTHERKEY1234\n${SERIAL} FILEKEY98765\n`;
    const r = await send('n1', { payload: file });
    should(r.out.statusCode).equal(200);
    should(env.sim.control.state().license.key).equal('FILEKEY98765');
    const upload = env.sim.control.state().uploads.find((u) => u.fileType === 'license');
    should(upload.contentType).startWith(uploadTypeOf());
    should(upload.bytes).equal(Buffer.byteLength(file));
  });

  it('put with a Buffer payload sends it as a license file', async function () {
    await load([licenseNode], flowFor(env.sim, [NODE]));
    const r = await send('n1', { action: 'put', payload: Buffer.from(`${SERIAL} BUFKEY123456\n`) });
    should(r.out.statusCode).equal(200);
    should(env.sim.control.state().license.key).equal('BUFKEY123456');
  });

  it('msg.action get overrides a node set to put', async function () {
    await load([licenseNode], flowFor(env.sim, [{ ...NODE, action: 'put' }]));
    const r = await send('n1', { action: 'get', payload: 'not a license' });
    should(r.out.payload).have.property('licenseVersion', 1);
    should(licenseCalls().map((e) => e.method)).eql(['GET']);
  });

  describe('refuses bad input before any request', function () {
    const cases = [
      [{ action: 'delete' }, 'msg.action must be one of get, put, got "delete"'],
      [{ action: 'put', payload: 42 }, 'msg.payload must be a license object {licenseVersion, serialNumber, key} or a license file (a Buffer or a non-empty string), got 42'],
      [{ action: 'put', payload: '' }, 'msg.payload must be a license object {licenseVersion, serialNumber, key} or a license file (a Buffer or a non-empty string), got ""'],
      [{ action: 'put', payload: { licenseVersion: '1', key: 'abcdefgh' } }, 'msg.payload.licenseVersion must be an integer >= 1 (the device supports 1), got "1"'],
      [{ action: 'put', payload: { licenseVersion: 1 } }, 'msg.payload.key must be a non-empty string (the license key), got nothing'],
      [{ action: 'put', payload: { licenseVersion: 1, key: 'abc def' } }, 'msg.payload.key must be a non-empty string (the license key), got "abc def"'],
      [{ action: 'put', payload: { licenseVersion: 1, key: 'abcdefgh', serialNumber: 277522263687112 } }, 'msg.payload.serialNumber must be a serial number of letters and digits, or nothing, got 277522263687112'],
    ];
    for (const [msg, message] of cases) {
      it(JSON.stringify(msg), async function () {
        await load([licenseNode], flowFor(env.sim, [NODE]));
        const r = await send('n1', { ...msg, topic: 't' });
        should(r.caught).be.ok();
        should(r.caught.error.message).equal(message);
        should(r.caught.topic).equal('t');
        should(apiLog(env.sim)).have.length(0);
      });
    }
  });

  describe('device errors reach the Catch node with its description', function () {
    it('400 for an incorrect key', async function () {
      await load([licenseNode], flowFor(env.sim, [{ ...NODE, action: 'put' }]));
      const r = await send('n1', { payload: { licenseVersion: 1, key: 'short' } });
      should(r.caught.statusCode).equal(400);
      should(r.caught.error.message).equal('put license failed: 400 Bad Request: License key is incorrect');
    });

    it('400 for a serial number that is not the device’s', async function () {
      await load([licenseNode], flowFor(env.sim, [{ ...NODE, action: 'put' }]));
      const r = await send('n1', { payload: { licenseVersion: 1, serialNumber: '111', key: 'abcdefgh12' } });
      should(r.caught.statusCode).equal(400);
      should(r.caught.error.message).equal('put license failed: 400 Bad Request: License serial number does not match the device serial number');
    });

    it('409 for a JSON key on an HA device', async function () {
      await load([licenseNode], flowFor(env.sim, [{ ...NODE, action: 'put' }]));
      env.sim.control.setHaMode(true);
      const statuses = recordStatus('n1');
      const r = await send('n1', { payload: { licenseVersion: 1, key: 'abcdefgh12' } });
      should(r.caught.statusCode).equal(409);
      should(r.caught.error.message).equal("put license failed: 409 Conflict: License key can't be applied to device in HA configuration. Use license file instead.");
      should(statuses[statuses.length - 1].text).startWith('409 Conflict');
      assertNoSecret([r.caught, statuses, logLines()]);
    });

    it('on an HA device a license file is taken', async function () {
      await load([licenseNode], flowFor(env.sim, [{ ...NODE, action: 'put' }]));
      env.sim.control.setHaMode(true);
      const r = await send('n1', { payload: `${SERIAL} HAFILEKEY123\n` });
      should(r.out.statusCode).equal(200);
    });
  });
});

'use strict';
require('should');
const { simPerTest, api, jsonBody, octet } = require('./_util');

describe('simulator: status, performance monitoring, license', function () {
  const env = simPerTest();

  describe('GET /status', () => {
    it('answers the documented fields', async () => {
      const r = await api(env.sim, 'GET', '/api/v1/status');
      r.status.should.equal(200);
      r.json.should.have.properties({
        ipAddress: '127.0.0.1',
        productType: 'Mediant SW',
        protocolType: 'SIP',
        operationalState: 'UNLOCKED',
        highAvailability: 'Stand Alone',
      });
      r.json.versionID.should.match(/^\d+\.\d+A\.\d+\.\d+$/);
      r.json.should.have.properties(['subnetMask', 'defaultGateway']);
      Math.abs(Date.parse(r.json.localTimeStamp) - Date.now()).should.be.below(60000);
    });

    it('highAvailability is "Active" in HA mode', async () => {
      env.sim.control.setHaMode(true);
      (await api(env.sim, 'GET', '/api/v1/status')).json.highAvailability.should.equal('Active');
      env.sim.control.setHaMode(false);
      (await api(env.sim, 'GET', '/api/v1/status')).json.highAvailability.should.equal('Stand Alone');
    });
  });

  describe('performance monitoring', () => {
    it('lists PM names', async () => {
      const r = await api(env.sim, 'GET', '/api/v1/performanceMonitoring');
      r.status.should.equal(200);
      r.json.items.should.containDeep(['ActiveContextCount', 'NetUtilKBytes', 'NetUtilPackets', 'IPGroupInCallsEstablished']);
    });

    it('discovery for a PM, names case-insensitive (the doc writes netUtilPackets)', async () => {
      const r = await api(env.sim, 'GET', '/api/v1/performanceMonitoring/netUtilPackets');
      r.status.should.equal(200);
      r.json.should.deepEqual({ indexes: [0, 1], intervalsPerIndex: [0, 1, 2], lowThreshold: 100, highThreshold: 30000 });
      (await api(env.sim, 'GET', '/api/v1/performanceMonitoring/NETUTILPACKETS')).json.should.deepEqual(r.json);
    });

    it('values for every index and interval: {index, interval, value, min, max, average}', async () => {
      const list = (await api(env.sim, 'GET', '/api/v1/performanceMonitoring')).json.items;
      for (const pm of list) {
        const d = (await api(env.sim, 'GET', `/api/v1/performanceMonitoring/${pm}`)).json;
        for (const index of d.indexes) {
          for (const interval of d.intervalsPerIndex) {
            const r = await api(env.sim, 'GET', `/api/v1/performanceMonitoring/${pm}?index=${index}&interval=${interval}`);
            r.status.should.equal(200);
            r.json.should.have.properties({ index, interval });
            for (const k of ['value', 'min', 'max', 'average']) r.json[k].should.be.a.Number();
            r.json.min.should.be.belowOrEqual(r.json.max);
            r.json.average.should.be.within(r.json.min, r.json.max);
          }
        }
      }
      // interval defaults to 0
      (await api(env.sim, 'GET', '/api/v1/performanceMonitoring/NetUtilKBytes?index=1')).json.interval.should.equal(0);
    });

    it('setPmValue pins the current value', async () => {
      env.sim.control.setPmValue('ActiveContextCount', 0, 4242);
      const r = await api(env.sim, 'GET', '/api/v1/performanceMonitoring/ActiveContextCount?index=0');
      r.json.value.should.equal(4242);
      r.json.max.should.be.aboveOrEqual(4242);
      (() => env.sim.control.setPmValue('Nope', 0, 1)).should.throw();
      (() => env.sim.control.setPmValue('ActiveContextCount', 9, 1)).should.throw();
    });

    it('unknown PM is 404; a bad index or interval is 400 "Invalid index"', async () => {
      (await api(env.sim, 'GET', '/api/v1/performanceMonitoring/NoSuchPm')).status.should.equal(404);
      let r = await api(env.sim, 'GET', '/api/v1/performanceMonitoring/netUtilPackets?index=100');
      r.status.should.equal(400);
      r.json.should.deepEqual({ description: 'Invalid index' });
      for (const q of ['index=-1', 'index=abc', 'interval=1', 'index=0&interval=3', 'index=0&interval=x']) {
        r = await api(env.sim, 'GET', `/api/v1/performanceMonitoring/netUtilPackets?${q}`);
        r.status.should.equal(400, q);
      }
    });
  });

  describe('license', () => {
    const serial = '277522263687112';

    it('GET /license answers the documented fields', async () => {
      const r = await api(env.sim, 'GET', '/api/v1/license');
      r.json.should.have.properties({ licenseVersion: 1, serialNumber: serial, key: 'jCx6r5tovCIKaBBbhPtT53Yj' });
      r.json.keyDescription.should.match(/Key features/);
    });

    it('PUT as JSON: 200 "Device will reset now to activate new license", new key after the reset', async () => {
      const r = await api(env.sim, 'PUT', '/api/v1/license', jsonBody({ licenseVersion: 1, serialNumber: serial, key: 'NewKeyAbcdef123456' }));
      r.status.should.equal(200);
      r.json.should.deepEqual({ description: 'Device will reset now to activate new license' });
      env.sim.control.state().up.should.be.false();
      await env.sim.control.waitUntilUp();
      (await api(env.sim, 'GET', '/api/v1/license')).json.key.should.equal('NewKeyAbcdef123456');
      // serialNumber is optional
      (await api(env.sim, 'PUT', '/api/v1/license', jsonBody({ licenseVersion: 1, key: 'AnotherKey12345' }))).status.should.equal(200);
      await env.sim.control.waitUntilUp();
    });

    it('PUT as JSON: 400 for a wrong version, an empty key or a serial mismatch', async () => {
      for (const body of [
        { licenseVersion: 2, key: 'jCx6r5tovCIKaBBbhPtT53Yj' },
        { key: 'jCx6r5tovCIKaBBbhPtT53Yj' },
        { licenseVersion: 1, key: '' },
        { licenseVersion: 1 },
        { licenseVersion: 1, serialNumber: '123', key: 'jCx6r5tovCIKaBBbhPtT53Yj' },
      ]) {
        const r = await api(env.sim, 'PUT', '/api/v1/license', jsonBody(body));
        r.status.should.equal(400, JSON.stringify(body));
        r.json.description.should.be.a.String();
      }
      const r = await api(env.sim, 'PUT', '/api/v1/license', jsonBody({ licenseVersion: 1, serialNumber: '123', key: 'jCx6r5tovCIKaBBbhPtT53Yj' }));
      r.json.description.should.match(/serial number does not match/);
      env.sim.control.state().bootCount.should.equal(1);
    });

    it('PUT as JSON in HA mode: 409 with the documented description', async () => {
      env.sim.control.setHaMode(true);
      const r = await api(env.sim, 'PUT', '/api/v1/license', jsonBody({ licenseVersion: 1, key: 'jCx6r5tovCIKaBBbhPtT53Yj' }));
      r.status.should.equal(409);
      r.json.should.deepEqual({ description: "License key can't be applied to device in HA configuration. Use license file instead." });
    });

    it('PUT a license file: the line for this serial number is applied (HA mode too); none matching is 400', async () => {
      env.sim.control.setHaMode(true);
      const file = `# keys for the pair\n111111111111111 OtherUnitKey1234\n${serial} FileKeyForThisUnit99\n`;
      let r = await api(env.sim, 'PUT', '/api/v1/license', octet(file));
      r.status.should.equal(200);
      r.json.description.should.equal('Device will reset now to activate new license');
      await env.sim.control.waitUntilUp();
      (await api(env.sim, 'GET', '/api/v1/license')).json.key.should.equal('FileKeyForThisUnit99');
      r = await api(env.sim, 'PUT', '/api/v1/license', octet('111111111111111 OtherUnitKey1234\n'));
      r.status.should.equal(400);
      r.json.description.should.match(/no key for this device/);
      (await api(env.sim, 'PUT', '/api/v1/license', octet('garbage\n'))).status.should.equal(400);
      (await api(env.sim, 'PUT', '/api/v1/license', octet(''))).status.should.equal(400);
    });
  });
});

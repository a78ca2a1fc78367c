'use strict';
require('should');
const { startSim } = require('../helpers/sim');
const { api, Agent } = require('./_util');

describe('simulator: many in one process', function () {
  it('200 simulators, one port each, each with its own state', async () => {
    const sims = [];
    const agent = new Agent({ connections: 1 });
    try {
      for (let i = 0; i < 200; i++) sims.push(await startSim());
      new Set(sims.map((s) => s.port)).size.should.equal(200);
      sims.forEach((s, i) => s.control.raiseAlarm({ description: `alarm of sim ${i}` }));
      const answers = await Promise.all(sims.map((s) => api(s, 'GET', '/api/v1/alarms/active/1', { dispatcher: agent })));
      answers.forEach((r, i) => {
        r.status.should.equal(200);
        r.json.description.should.equal(`alarm of sim ${i}`);
      });
    } finally {
      await agent.close();
      await Promise.all(sims.map((s) => s.close()));
    }
  });
});

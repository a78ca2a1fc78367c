'use strict';
// The short version of the crash and replica campaigns (test/campaign/campaign.js;
// the full ones are `npm run campaign`): the installed package in real Node-RED
// processes killed with SIGKILL at random moments of their polls, with a
// localfilesystem store that writes at once (cache off) and with a Redis context
// store, and 2 and 3 replicas coordinated through a real redis-server with the
// holder killed. Nothing may be lost, nothing reported that the device never had,
// and every repeat must carry the eventId already delivered for that event.
const assert = require('assert');
const { crash, replicas, line } = require('../campaign/campaign');

// Fixed seeds: the same steps every run (the moments of the kills still vary with timing).
const SEED = 13;

describe('campaigns, short (npm run campaign runs the full ones)', function () {
  this.timeout(600000);
  const check = (r) => {
    console.log(`      ${line(r)}`);
    assert.strictEqual(r.lost, 0, `lost: ${JSON.stringify(r.examples.lost)}`);
    assert.strictEqual(r.unexpected, 0, `never on the device: ${JSON.stringify(r.examples.unexpected)}`);
    assert.strictEqual(r.unrecognisableRepeats, 0, `repeated with another eventId: ${JSON.stringify(r.examples.unrecognisable)}`);
    assert.strictEqual(r.missingIds, 0);
  };

  it('kill -9 during polls, localfilesystem with cache off: nothing lost, repeats only with their eventId', async function () {
    check(await crash({ store: 'localfilesystem-nocache', kills: 4, batch: 60, seed: SEED }));
  });

  it('kill -9 during polls, a Redis context store: nothing lost, repeats only with their eventId', async function () {
    check(await crash({ store: 'redis', kills: 4, batch: 60, seed: SEED }));
  });

  it('2 replicas with a mediant-cluster node, the holder killed: every event once across them', async function () {
    const r = await replicas({ processes: 2, steps: 15, kills: 2, seed: SEED });
    check(r);
    assert.strictEqual(r.late, 0, 'a step whose events never arrived');
  });

  it('3 replicas, the holder killed: every event once across them', async function () {
    const r = await replicas({ processes: 3, steps: 15, kills: 2, seed: SEED });
    check(r);
    assert.strictEqual(r.late, 0, 'a step whose events never arrived');
  });
});

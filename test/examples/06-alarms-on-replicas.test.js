'use strict';
// examples/06 alarms on replicas.json: with a real redis-server, the instance
// that holds the device posts each event once with its eventId as the
// Idempotency-Key; an instance that does not hold it posts nothing.
require('should');
const s = require('./support');
const { startRedis } = require('../helpers/redis');
const { RedisCoordinator } = require('../../client/coordination');

const FILE = '06 alarms on replicas.json';

describe('example: 06 alarms on replicas', function () {
  this.timeout(60000);
  const env = s.useSimulator({ initialAlarms: [{ description: 'Trunk is down', severity: 'Major' }] });
  let redis;
  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await s.helper.unload();
    await redis.close();
  });

  const load = () =>
    s.loadExample(FILE, env.sim, { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port), TICKET_API_URL: `${env.rx.base}/tickets` });

  it('posts each event once, with msg.eventId as the Idempotency-Key', async () => {
    const flow = await load();
    const poll = s.nodeNamed(flow, 'active alarms (one replica polls)');
    await s.waitFor(() => env.rx.requests.length >= 1, 'the first event');
    const first = env.rx.requests[0];
    first.path.should.equal('/tickets');
    first.body.event.should.equal('raised');
    first.headers['idempotency-key'].should.match(/^[0-9a-f]{32}$/).and.equal(first.body.eventId);
    env.sim.control.clearAlarm('1');
    poll.receive({});
    await s.waitFor(() => env.rx.requests.length >= 2, 'the clearing');
    env.rx.requests[1].body.event.should.equal('cleared');
    env.rx.requests[1].body.eventId.should.not.equal(first.body.eventId);
    poll.receive({});
    poll.receive({});
    env.sim.control.raiseAlarm({ description: 'Fan failure' });
    poll.receive({});
    await s.waitFor(() => env.rx.requests.length >= 3, 'the next alarm');
    env.rx.requests.map((r) => r.body.event).should.eql(['raised', 'cleared', 'raised']);
    s.everythingSent(env.rx).should.not.containEql(s.PASSWORD);
  });

  it('an instance that does not hold the device posts nothing', async () => {
    const other = new RedisCoordinator({ host: redis.host, port: redis.port, prefix: 'mediant:', owner: 'other/1/x' });
    try {
      const flow = s.readExample(FILE);
      const pollDef = flow.find((n) => n.type === 'mediant-alarms-poll');
      const unit = other.unit(`${pollDef.id}:127.0.0.1:${env.sim.port}`);
      (await unit.lease.hold()).should.be.true();
      const loaded = await load();
      const poll = s.nodeNamed(loaded, 'active alarms (one replica polls)');
      poll.receive({});
      poll.receive({});
      await new Promise((r) => setTimeout(r, 500));
      env.rx.requests.should.eql([]);
    } finally {
      await other.close();
    }
  });
});

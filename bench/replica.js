'use strict';
/**
 * One Node-RED replica for the failover scenario: the test helper's runtime
 * with a mediant-device, a mediant-cluster (Redis) and a mediant-alarms-poll
 * node, driven over IPC. `load` deploys the flow, `drain` returns the events
 * the alarms node sent since the last call (with the time each arrived) and
 * the text of its status.
 */
const { serve } = require('./lib/ipc');
const { loadFlow, getNode, ours, TAB, USER, PASS } = require('./lib/nodered');

const events = [];
let status = '';

serve(
  {
    async load({ simPort, redisPort, leaseSeconds, pollInterval }) {
      const flow = [
        TAB,
        { id: 'out', type: 'helper', z: TAB.id, x: 100, y: 100 },
        { id: 'dev', type: 'mediant-device', name: 'sbc', host: '127.0.0.1', port: String(simPort), protocol: 'http', timeout: '5000' },
        { id: 'redis', type: 'mediant-cluster', name: '', host: '127.0.0.1', port: String(redisPort), tls: '', prefix: 'bench:', leaseSeconds },
        { id: 'poll', type: 'mediant-alarms-poll', z: TAB.id, x: 100, y: 100, name: '', device: 'dev', cluster: 'redis', alarmType: 'active', pollInterval: String(pollInterval), emitExisting: false, output: 'events', wires: [['out']] },
      ];
      await loadFlow([ours('mediant-device'), ours('mediant-cluster'), ours('mediant-alarms-poll')], flow, { dev: { username: USER, password: PASS } });
      getNode('out').on('input', (m) => events.push({ at: Date.now(), event: m.event, id: m.payload && m.payload.id, description: m.payload && m.payload.description }));
      const poll = getNode('poll');
      const show = poll.status.bind(poll);
      poll.status = (s) => {
        status = (s && s.text) || '';
        show(s);
      };
      return { pid: process.pid };
    },
    async drain() {
      return { events: events.splice(0), status };
    },
  },
  { maxLifeMs: Number(process.env.BENCH_MAX_LIFE_MS) || 60 * 60 * 1000 },
);

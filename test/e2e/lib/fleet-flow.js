'use strict';
// A flow over a fleet: `devices` mediant-device config nodes (group "bench")
// and either ONE mediant-alarms-poll over all of them (deviceFrom `all`,
// way `fleet`) or one per device (way `nodes`, laid out in a grid). Shared by
// the browser test (the editor loads such a flow) and the bench (deploy
// scenario: time to the first poll of every device, editor load time).
// Credentials ride in the nodes, as a deploy through the admin API takes them.

const TAB = 'fleet-flow-tab';

/**
 * `targets`: one `{ port }` per device (all on 127.0.0.1), or a number of
 * devices that all point at `port`. `pollInterval` in seconds (0: no timer).
 */
function fleetFlow({ way = 'fleet', targets, port, pollInterval = 10, username = 'Admin', password = 'Admin' }) {
  const list = typeof targets === 'number' ? Array.from({ length: targets }, () => ({ port })) : targets;
  const flow = [{ id: TAB, type: 'tab', label: `${list.length} devices` }];
  const cols = 20;
  list.forEach((t, i) => {
    flow.push({ id: `dev${i}`, type: 'mediant-device', name: `device${i}`, group: 'bench', host: '127.0.0.1', port: String(t.port), protocol: 'http', tls: '', timeout: '10000', credentials: { username, password } });
    if (way === 'nodes') {
      flow.push({ id: `poll${i}`, type: 'mediant-alarms-poll', z: TAB, name: '', device: `dev${i}`, deviceFrom: 'node', deviceGroup: '', alarmType: 'active', pollInterval: String(pollInterval), emitExisting: true, output: 'events', cluster: '', x: 120 + 200 * (i % cols), y: 60 + 60 * Math.floor(i / cols), wires: [[]] });
    }
  });
  if (way === 'fleet') {
    flow.push({ id: 'poll0', type: 'mediant-alarms-poll', z: TAB, name: 'every device', device: '', deviceFrom: 'all', deviceGroup: '', alarmType: 'active', pollInterval: String(pollInterval), emitExisting: true, output: 'events', cluster: '', x: 160, y: 80, wires: [[]] });
  }
  return { flow, devices: list.length, pollNodes: way === 'fleet' ? 1 : list.length };
}

module.exports = { fleetFlow, TAB };

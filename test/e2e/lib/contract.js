'use strict';
// The editor-facing half of ../shared/node-contract.md: the properties a flow stores
// for each node type (each must have an input in the node's edit dialog), and the
// values that make a node valid enough to deploy against the simulator.

const COMMON = ['name', 'device', 'deviceFrom'];

const PROPS = {
  'mediant-device': ['name', 'group', 'host', 'port', 'protocol', 'tls', 'timeout'],
  'mediant-cluster': ['name', 'host', 'port', 'tls', 'prefix', 'leaseSeconds'],
  'mediant-status': [...COMMON],
  'mediant-reset': [...COMMON, 'saveConfiguration', 'gracefulTimeout', 'waitForRestart', 'restartTimeout'],
  'mediant-save-config': [...COMMON],
  'mediant-upload-file': [...COMMON, 'fileType', 'filename'],
  'mediant-download-file': [...COMMON, 'fileType'],
  'mediant-run-cli': [...COMMON, 'script'],
  'mediant-alarms-poll': [...COMMON, 'deviceGroup', 'alarmType', 'pollInterval', 'emitExisting', 'output', 'cluster'],
  'mediant-pm-read': [...COMMON, 'deviceGroup', 'pm', 'index', 'interval', 'pollInterval'],
  'mediant-kpi': [...COMMON, 'deviceGroup', 'source', 'kpi', 'interval', 'pollInterval'],
  'mediant-test-call': [...COMMON, 'calledNumber', 'callingNumber', 'destIpGroup', 'destAddress', 'transportType', 'timeout'],
  'mediant-license': [...COMMON, 'action'],
  'mediant-request': [...COMMON, 'method', 'path', 'filename'],
};

const CONFIG_CREDENTIALS = ['username', 'password'];

/** Text inputs that must be filled before the node is valid (contract: "required"). */
const REQUIRED_TEXT = {
  'mediant-request': { path: '/status' },
};

module.exports = { PROPS, CONFIG_CREDENTIALS, REQUIRED_TEXT };

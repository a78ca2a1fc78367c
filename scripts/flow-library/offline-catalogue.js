'use strict';
/**
 * Preloaded (node --require) into `node-red-dev validate` by check.js.
 *
 * node-red-dev asks the Flow Library's catalogue (catalogue.nodered.org) for every
 * published module and its node types, for two checks: P08 (a module of the same
 * name in another scope) and N01 (a node type that another module already
 * registers). That site cannot be reached from CI, so the request is answered here,
 * with what we can know offline: Node-RED's own core nodes, read from the node-red
 * installed as our devDependency. N01 then still catches the clash that matters
 * most to a user (a type named like a core node, e.g. "status" or "debug"); a clash
 * with another contributed module cannot be seen offline.
 *
 * Every other request (the npm registry, for P06, P07, D02 and D03) goes out as usual.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const CATALOGUE = /^https:\/\/catalogue\.nodered\.org\//;

/** Every node type that Node-RED's core registers, from the editor files of @node-red/nodes. */
function coreNodeTypes() {
  const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] }))] }));
  const types = new Set();
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/registerType\(\s*["']([^"']+)["']/g)) types.add(m[1]);
      }
    }
  };
  walk(path.join(nodesDir, 'core'));
  return [...types].sort();
}

function install() {
  const devDir = path.dirname(require.resolve('node-red-dev/package.json', { paths: [ROOT] }));
  // node-red-dev's own copy of axios: the one its checks call
  const axios = require(require.resolve('axios', { paths: [devDir] }));
  const types = coreNodeTypes();
  const catalogue = {
    name: 'offline stand-in for catalogue.nodered.org (scripts/flow-library/offline-catalogue.js)',
    updated_at: new Date().toISOString(),
    modules: [{ id: '@node-red/nodes', version: require(path.join(path.dirname(require.resolve('node-red/package.json', { paths: [ROOT] })), 'package.json')).version, types }],
  };
  const network = axios.defaults.adapter;
  axios.defaults.adapter = (config) => {
    if (!CATALOGUE.test(String(config.url))) return network(config);
    process.stderr.write(`offline-catalogue: answered ${config.url} with Node-RED's ${types.length} core node types\n`);
    return Promise.resolve({ status: 200, statusText: 'OK', headers: { 'content-type': 'application/json' }, config, request: {}, data: JSON.parse(JSON.stringify(catalogue)) });
  };
}

install();

'use strict';
// How each example flow is deployed in the e2e run, and what it must do then, checked
// from outside Node-RED (the simulator's state and log, the receivers' records, files).
const fs = require('fs');
const path = require('path');

/** `${NAME}` references and env.get("NAME") / $env('NAME') calls in the example files. */
function envNames(exampleDir) {
  const names = new Set();
  if (!fs.existsSync(exampleDir)) return names;
  for (const f of fs.readdirSync(exampleDir).filter((x) => x.endsWith('.json'))) {
    const text = fs.readFileSync(path.join(exampleDir, f), 'utf8');
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1]);
    for (const m of text.matchAll(/env\.get\(\s*\\?["']([A-Za-z_][A-Za-z0-9_]*)\\?["']/g)) names.add(m[1]);
    for (const m of text.matchAll(/\$env\(\s*\\?["']([A-Za-z_][A-Za-z0-9_]*)\\?["']/g)) names.add(m[1]);
  }
  return names;
}

/**
 * The runtime's environment for the examples: each outside URL the examples read
 * points at a receiver in the test process; the backup directory at a temp dir.
 */
function envFor(moduleDir, receivers, extra = {}) {
  const env = {};
  for (const name of envNames(path.join(moduleDir, 'examples'))) {
    if (/TICKET/i.test(name)) env[name] = receivers.ticket.url + '/tickets';
    else if (/CHAT|SLACK|TEAMS|WEBHOOK/i.test(name)) env[name] = receivers.chat.url + '/hook';
    else if (/BACKUP|DIR/i.test(name) && extra.backupDir) env[name] = extra.backupDir;
  }
  return { ...env, ...extra.env };
}

/**
 * The example as a user would deploy it after import: every `mediant-device` pointed
 * at the simulator, with credentials (they travel in the POST, as the editor sends them).
 */
function prepareFlow(flow, { sim, username, password, tune }) {
  const nodes = JSON.parse(JSON.stringify(flow));
  for (const n of nodes) {
    if (n.type !== 'mediant-device') continue;
    n.host = sim.host;
    n.port = String(sim.port);
    n.protocol = sim.protocol;
    n.tls = '';
    n.credentials = { username, password };
  }
  if (tune) tune(nodes);
  return nodes;
}

const EXAMPLE_CHECKS = {};

module.exports = { EXAMPLE_CHECKS, envFor, envNames, prepareFlow };

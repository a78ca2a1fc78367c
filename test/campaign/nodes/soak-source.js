'use strict';
// The soak campaign's sending end (test/campaign/soak.js): the campaign posts
// an operation to the admin endpoint POST /soak/op { output, msgid, recipe };
// this node builds the message from the recipe (test/campaign/soak-values.js:
// values JSON cannot carry are made here, inside Node-RED) and sends it on
// that output, where one wire leads to one node under test (one wire only, so
// Node-RED passes the very object on, uncopied). GET /soak/memory reports the
// process's memory (after a full GC with ?gc=1, when node runs with
// --expose-gc) and whether Object.prototype has been polluted.
const { buildMessage } = require('../soak-values');

module.exports = function (RED) {
  let current;

  RED.httpAdmin.post('/soak/op', (req, res) => {
    const { output, msgid, recipe } = req.body || {};
    if (!current) return res.status(503).json({ error: 'no soak-source deployed' });
    if (!Number.isInteger(output) || output < 0 || output >= current.outputs) return res.status(400).json({ error: `no output ${output}` });
    let msg;
    try {
      msg = buildMessage(recipe || {}, String(msgid));
    } catch (err) {
      return res.status(400).json({ error: `recipe: ${err.message}` });
    }
    const out = new Array(current.outputs).fill(null);
    out[output] = msg;
    try {
      current.send(out);
    } catch (err) {
      // Node-RED itself refused the message before any node under test had it.
      return res.status(500).json({ error: `send: ${err && err.message}` });
    }
    return res.json({ ok: true });
  });

  RED.httpAdmin.get('/soak/memory', (req, res) => {
    if (req.query.gc === '1' && typeof global.gc === 'function') global.gc();
    const m = process.memoryUsage();
    const probe = {};
    res.json({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, polluted: Object.prototype.polluted !== undefined || probe.polluted !== undefined, handles: process._getActiveHandles().length });
  });

  function SoakSource(config) {
    RED.nodes.createNode(this, config);
    this.outputs = Number(config.outputs) || 1;
    current = this;
    this.on('close', () => {
      if (current === this) current = undefined;
    });
  }
  RED.nodes.registerType('soak-source', SoakSource);
};

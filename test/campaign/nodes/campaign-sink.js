'use strict';
// The campaigns' receiving end: every message that reaches this node is
// appended at once, synchronously, as one JSON line to the file named by the
// environment variable CAMPAIGN_SINK (with the writing process's id). A
// message counts as delivered when this node has it, which is what the alarms
// node promises ("left the node"); kill -9 cannot lose a line already
// written (it is in the kernel's page cache).
const fs = require('node:fs');

module.exports = function (RED) {
  function CampaignSink(config) {
    RED.nodes.createNode(this, config);
    const file = process.env.CAMPAIGN_SINK;
    const fd = file ? fs.openSync(file, 'a') : undefined;
    this.on('input', (msg, send, done) => {
      if (fd !== undefined) {
        const p = msg.payload || {};
        const line = JSON.stringify({ pid: process.pid, eventId: msg.eventId, event: msg.event, id: p.id, date: p.date, description: p.description });
        fs.writeSync(fd, `${line}\n`);
      }
      done();
    });
    this.on('close', () => {
      if (fd !== undefined) fs.closeSync(fd);
    });
  }
  RED.nodes.registerType('campaign-sink', CampaignSink);
};

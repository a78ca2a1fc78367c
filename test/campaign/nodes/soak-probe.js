'use strict';
// The soak campaign's receiving end (test/campaign/soak.js): every message
// that reaches a probe is appended at once, as one short JSON line, to the
// file named by $SOAK_SINK: what the campaign needs to tell how each
// operation ended (an output, a Catch, a Complete), every status shown, every
// alarm event, and where in the message a credential ($SOAK_SECRETS, a JSON
// array) or a `Basic` token appeared. Messages can be hostile (getters that
// throw, Proxies): only own data properties are read.
const fs = require('node:fs');
const { findSecrets } = require('../soak-values');

/** An own data property of `o`, or undefined: never a getter, never a trap that throws. */
function own(o, key) {
  try {
    const d = o !== null && typeof o === 'object' ? Object.getOwnPropertyDescriptor(o, key) : undefined;
    return d && 'value' in d ? d.value : undefined;
  } catch {
    return undefined;
  }
}

const text = (v, max = 300) => (typeof v === 'string' ? v.slice(0, max) : undefined);
const idText = (v) => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 80) : undefined);

module.exports = function (RED) {
  const secrets = JSON.parse(process.env.SOAK_SECRETS || '[]');
  let fd;
  let users = 0;

  function SoakProbe(config) {
    RED.nodes.createNode(this, config);
    const role = config.role || 'out';
    const target = config.target || '';
    if (process.env.SOAK_SINK && users++ === 0) fd = fs.openSync(process.env.SOAK_SINK, 'a');
    this.on('input', (msg, send, done) => {
      const line = { r: role, m: idText(own(msg, '_msgid')) };
      if (role === 'out' || role === 'copy') {
        line.t = target;
        if (role === 'out') {
          const payload = own(msg, 'payload');
          line.st = own(msg, 'statusCode');
          line.ev = text(own(msg, 'event'), 20);
          line.eid = text(own(msg, 'eventId'), 64);
          line.d = text(own(payload, 'description'), 120);
          line.aid = idText(own(payload, 'id'));
          line.dev = text(own(msg, 'device'), 80);
        }
      } else if (role === 'catch') {
        const error = own(msg, 'error');
        const source = own(error, 'source');
        line.s = text(own(source, 'id'), 40);
        line.ty = text(own(source, 'type'), 40);
        line.e = text(own(error, 'message'));
        if (line.e === undefined) line.e = `(not a string: ${typeof own(error, 'message')})`;
      } else if (role === 'complete') {
        line.s = text(own(own(msg, 'complete'), 'source') && own(own(own(msg, 'complete'), 'source'), 'id'), 40);
      } else if (role === 'status') {
        const status = own(msg, 'status');
        line.s = text(own(own(status, 'source'), 'id'), 40);
        line.text = text(own(status, 'text'), 200);
        line.fill = text(own(status, 'fill'), 10);
      }
      if (role !== 'copy') {
        const leak = findSecrets(msg, secrets);
        if (leak.length) line.leak = leak;
      }
      if (fd !== undefined) fs.writeSync(fd, `${JSON.stringify(line)}\n`);
      done();
    });
    this.on('close', () => {
      if (--users === 0 && fd !== undefined) {
        fs.closeSync(fd);
        fd = undefined;
      }
    });
  }
  RED.nodes.registerType('soak-probe', SoakProbe);
};

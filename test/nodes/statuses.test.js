'use strict';
// What a user reads under a node and in the log when a setting or a message is
// wrong: the variable that is not set, the property that was refused, the
// protocol that does not match the port, verification turned off.
const should = require('should');
const { useSimulator, helper, flowFor, load, send, apiLog, logLines, CREDENTIALS } = require('../helpers/mediant-flow');

const statusNode = require('../../nodes/mediant-status.js');
const resetNode = require('../../nodes/mediant-reset.js');
const tlsNode = require('@node-red/nodes/core/network/05-tls.js');

/** Every status node `id` has shown since it was created (the helper spies on every node's status), without the time a status ends with. */
function statusesOf(id) {
  const node = helper.getNode(id);
  return node.status
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => c.args[0])
    .map((st) => (typeof st.text === 'string' ? { ...st, text: st.text.replace(/ · \d\d:\d\d:\d\d$/, '') } : st));
}

describe('what a node says: statuses and log', function () {
  const env = useSimulator();

  it('an environment variable not set: the status and the log name it, from deploy; nothing is sent', async function () {
    delete process.env.MEDIANT_NOT_SET_HOST;
    await load([statusNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-status', name: '' }], { host: '${MEDIANT_NOT_SET_HOST}', name: 'sbc' }));
    // said at deploy, before any message
    should(statusesOf('n1').slice(-1)[0]).containEql({ fill: 'red', text: 'MEDIANT_NOT_SET_HOST not set' });
    should(logLines().some((l) => l.level === 20 && /the environment variable MEDIANT_NOT_SET_HOST is not set/.test(l.msg))).be.true();
    const r = await send('n1', {});
    should(r.caught.error.message).match(/^device sbc: the environment variable MEDIANT_NOT_SET_HOST is not set, so its host is the text "\$\{MEDIANT_NOT_SET_HOST\}"/);
    should(statusesOf('n1').slice(-1)[0]).containEql({ fill: 'red', text: 'MEDIANT_NOT_SET_HOST not set' });
    should(statusesOf('n1').map((s) => s.text)).not.containEql('requesting…');
    should(apiLog(env.sim)).have.length(0);
  });

  it('a refused message property: the status names it, and never says "requesting…"', async function () {
    await load([resetNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-reset', name: '' }]));
    const r = await send('n1', { gracefulTimeout: 'abc' });
    should(r.caught.error.message).match(/msg\.gracefulTimeout must be an integer >= 0, got "abc"/);
    const texts = statusesOf('n1').map((s) => s.text);
    should(texts).not.containEql('requesting…');
    should(texts.slice(-1)[0]).equal('bad msg.gracefulTimeout');
    should(apiLog(env.sim)).have.length(0);
  });

  it('a message naming no device: the status says msg.device', async function () {
    await load([statusNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-status', name: '', deviceFrom: 'msg' }]));
    const r = await send('n1', { device: 'no-such-sbc' });
    should(r.caught.error.message).match(/no-such-sbc/);
    should(statusesOf('n1').slice(-1)[0].text).equal('bad msg.device');
  });

  it('a request that is sent says "requesting…" first', async function () {
    await load([statusNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-status', name: '' }]));
    const r = await send('n1', {});
    should(r.out.statusCode).equal(200);
    should(statusesOf('n1').map((s) => s.text)).containEql('requesting…');
  });
});

describe('what a node says over the wrong protocol, and with verification off', function () {
  const env = useSimulator({ tls: true });

  it('plain HTTP to the HTTPS port: the error and the status say so, not "unreachable"', async function () {
    await load([statusNode], flowFor(env.sim, [{ id: 'n1', type: 'mediant-status', name: '' }], { protocol: 'http' }));
    const r = await send('n1', {});
    should(r.caught.error.message).equal(
      `status failed: network: 127.0.0.1:${env.sim.port} serves HTTPS, not plain HTTP: set the protocol to https (it closed the connection on the plain HTTP request)`,
    );
    should(statusesOf('n1').slice(-1)[0]).containEql({ fill: 'red', text: 'wrong protocol: port serves HTTPS' });
  });

  it('verification off in tls-config: one warning per device, naming it and the tls-config node', async function () {
    const flow = flowFor(env.sim, [{ id: 'n1', type: 'mediant-status', name: '' }, { id: 'n2', type: 'mediant-status', name: '' }], { protocol: 'https', tls: 'tls1', name: 'sbc' });
    flow.push({ id: 'tls1', type: 'tls-config', name: 'lab TLS', cert: '', key: '', ca: '', certname: '', keyname: '', caname: '', servername: '', verifyservercert: false });
    await load([tlsNode, statusNode], flow, CREDENTIALS);
    should((await send('n1', {})).out.statusCode).equal(200);
    should((await send('n2', {})).out.statusCode).equal(200);
    const warnings = logLines().filter((l) => l.level === 30 && /certificate verification is off/.test(l.msg));
    should(warnings).have.length(1);
    should(warnings[0].msg).match(/^sbc: certificate verification is off in the tls-config node "lab TLS"/);
  });

  it('verification on: no such warning', async function () {
    const flow = flowFor(env.sim, [{ id: 'n1', type: 'mediant-status', name: '' }], { protocol: 'https', tls: 'tls1' });
    flow.push({ id: 'tls1', type: 'tls-config', name: '', cert: '', key: '', ca: '', certname: '', keyname: '', caname: 'sim.pem', servername: '', verifyservercert: true });
    await load([tlsNode, statusNode], flow, { ...CREDENTIALS, tls1: { cadata: env.sim.certificate } });
    should((await send('n1', {})).out.statusCode).equal(200);
    should(logLines().filter((l) => /certificate verification is off/.test(l.msg))).have.length(0);
  });
});

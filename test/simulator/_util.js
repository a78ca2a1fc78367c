'use strict';
// Small helpers for the simulator tests: plain undici requests (not our client).
const { request, Agent } = require('undici');
const { startSim } = require('../helpers/sim');

const basic = (user, pass) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
const ADMIN = basic('Admin', 'Admin');

/** One request; resolves {status, headers, text, json, buffer}. `auth: null` sends no credentials. */
async function api(sim, method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  const auth = opts.auth === undefined ? ADMIN : opts.auth;
  if (auth) headers.authorization = auth;
  const r = await request(sim.url + path, {
    method,
    headers,
    body: opts.body,
    dispatcher: opts.dispatcher,
    headersTimeout: opts.headersTimeout || 15000,
    bodyTimeout: opts.bodyTimeout || 15000,
  });
  const buffer = Buffer.from(await r.body.arrayBuffer());
  const text = buffer.toString('utf8');
  let json;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: r.statusCode, headers: r.headers, text, json, buffer };
}

/** A JSON request body with its content type. */
const jsonBody = (obj) => ({ body: JSON.stringify(obj), headers: { 'content-type': 'application/json' } });

/** An octet-stream body. */
const octet = (body) => ({ body, headers: { 'content-type': 'application/octet-stream' } });

/** A multipart/form-data body: parts {name, filename?, data}. */
function multipart(boundary, parts) {
  const chunks = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n`));
    if (p.filename) chunks.push(Buffer.from('Content-Type: application/octet-stream\r\n'));
    chunks.push(Buffer.from('\r\n'), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** A multipart upload of `data` in one part named `file`, as 7.x clients send it. */
const multipartFile = (data, filename = 'upload.bin') => {
  const boundary = '----mediantSimTest7MA4YWxkTrZu0gW';
  return { body: multipart(boundary, [{ name: 'file', filename, data }]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
};

/** Every firmware the simulator plays. */
const FIRMWARES = ['7.0', '7.2', '7.4'];

/** Control API call (no auth). */
async function ctl(sim, method, path, body) {
  const r = await request(sim.url + '/__sim' + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 15000,
    bodyTimeout: 15000,
  });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, json: text ? JSON.parse(text) : undefined, text };
}

/** Resolves with the error a request ends in (rejects if it succeeds). */
async function failure(promise) {
  try {
    const r = await promise;
    throw Object.assign(new Error(`expected a failure, got status ${r.status}`), { unexpected: true });
  } catch (e) {
    if (e.unexpected) throw e;
    return e;
  }
}

/** Poll `check` (no timing assertion: mocha's timeout bounds it). */
async function until(check, stepMs = 20) {
  for (;;) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * A fresh simulator (`startSim(simOptions)`) for each test of the calling
 * `describe`, closed after it; with `agent`, also a fresh undici Agent for
 * the test, closed before the simulator. Returns `{ sim, agent }`, filled in
 * before each test.
 */
function simPerTest(simOptions, { agent = false } = {}) {
  const env = { sim: undefined, agent: undefined };
  beforeEach(async () => {
    env.sim = await startSim(simOptions);
    if (agent) env.agent = new Agent();
  });
  afterEach(async () => {
    if (agent) await env.agent.close();
    await env.sim.close();
  });
  return env;
}

/** One simulator (`startSim(simOptions)`) for all the tests of the calling `describe`. Returns `{ sim }`. */
function simPerSuite(simOptions) {
  const env = { sim: undefined };
  before(async () => {
    env.sim = await startSim(simOptions);
  });
  after(() => env.sim.close());
  return env;
}

module.exports = { simPerTest, simPerSuite, api, ctl, basic, ADMIN, jsonBody, octet, multipart, multipartFile, FIRMWARES, failure, until, Agent };

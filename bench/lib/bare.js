'use strict';
/**
 * The floor: a bare undici keep-alive request loop (Pool.request, body.json()) doing what one poll needs
 * on the wire, with no Node-RED and no checks: GET the list (Basic auth),
 * parse it, and GET the details of any alarm id not seen before.
 */
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const undici = require(require.resolve('undici', { paths: [ROOT] }));

const AUTH = 'Basic ' + Buffer.from('Admin:Admin').toString('base64');

/**
 * One keep-alive pool per device, as a careful hand-written loop would keep
 * (the same shape as our client's: 4 connections).
 */
function makeAgent() {
  const pools = new Map();
  return {
    pool(port) {
      let p = pools.get(port);
      if (!p) {
        p = new undici.Pool(`http://127.0.0.1:${port}`, { connections: 4, keepAliveTimeout: 30_000 });
        pools.set(port, p);
      }
      return p;
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}

async function getJson(pool, path, headers) {
  const r = await pool.request({ method: 'GET', path, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
  if (r.statusCode === 204) {
    await r.body.dump();
    return null;
  }
  return r.body.json();
}

/** A bare poller per device: `poll()` does one poll and resolves with the number of requests made. */
function barePoller(agent, port, alarmType = 'active') {
  const pool = agent.pool(port);
  const seen = new Set();
  const headers = { authorization: AUTH, accept: 'application/json' };
  const get = (p) => getJson(pool, p, headers);
  return {
    async poll() {
      let requests = 1;
      const list = await get(`/api/v1/alarms/${alarmType}`);
      const now = new Set();
      if (list && Array.isArray(list.alarms)) {
        for (const a of list.alarms) {
          now.add(a.id);
          if (!seen.has(a.id)) {
            requests++;
            await get(a.url);
          }
        }
      }
      seen.clear();
      for (const id of now) seen.add(id);
      return requests;
    },
  };
}

/** GET /status once with the same headers, reading the JSON body. */
function bareStatus(agent, port) {
  const pool = agent.pool(port);
  const headers = { authorization: AUTH, accept: 'application/json' };
  return () => getJson(pool, '/api/v1/status', headers);
}

/**
 * The storm's floor: the first full sync of the active alarms with nothing but
 * undici, making the same requests as our engine at the same concurrency:
 * list pages of `pageLimit` one after another (following the `after` cursor),
 * and each listed alarm's details, at most `concurrency` at a time, started
 * while the following list pages are still on their way. One keep-alive pool
 * of `connections` (our client's default: 6). No checks, no state, no ids.
 */
async function bareStorm({ port, concurrency, connections, pageLimit = 100, timeoutMs = 600_000 }) {
  const pool = new undici.Pool(`http://127.0.0.1:${port}`, { connections, keepAliveTimeout: 30_000 });
  const headers = { authorization: AUTH, accept: 'application/json' };
  const get = (p) => getJson(pool, p, headers);
  const details = [];
  const running = new Set();
  let failure = null;
  let listed = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    let after;
    for (;;) {
      if (Date.now() > deadline) throw new Error('bare storm timed out');
      const page = await get(`/api/v1/alarms/active?limit=${pageLimit}${after !== undefined ? `&after=${after}` : ''}`);
      if (!page || !Array.isArray(page.alarms)) break;
      for (const a of page.alarms) {
        listed++;
        while (running.size >= concurrency) await Promise.race(running);
        if (failure) throw failure;
        const task = get(`/api/v1/alarms/active/${a.id}`).then(
          (d) => {
            details.push(d);
          },
          (err) => {
            failure = failure || err;
          },
        );
        running.add(task);
        task.finally(() => running.delete(task));
      }
      const next = page.cursor && page.cursor.after;
      if (next === undefined || next === '-1' || next === -1) break;
      after = next;
    }
    await Promise.all(running);
    if (failure) throw failure;
    return { listed, details: details.length };
  } finally {
    await pool.close().catch(() => undefined);
  }
}

module.exports = { undici, makeAgent, barePoller, bareStatus, bareStorm, AUTH };

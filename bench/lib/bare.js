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

module.exports = { undici, makeAgent, barePoller, bareStatus, AUTH };

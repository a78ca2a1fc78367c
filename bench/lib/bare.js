'use strict';
/**
 * The floor: a bare undici keep-alive request loop doing what one poll needs
 * on the wire, with no Node-RED and no checks: GET the list (Basic auth),
 * parse it, and GET the details of any alarm id not seen before.
 */
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const undici = require(require.resolve('undici', { paths: [ROOT] }));

const AUTH = 'Basic ' + Buffer.from('Admin:Admin').toString('base64');

function makeAgent() {
  return new undici.Agent({ keepAliveTimeout: 30_000, connections: 4 });
}

/** A bare poller per device: `poll()` does one poll and resolves with the number of requests made. */
function barePoller(agent, port, alarmType = 'active') {
  const origin = `http://127.0.0.1:${port}`;
  const seen = new Set();
  const headers = { authorization: AUTH, accept: 'application/json' };
  async function get(p) {
    const r = await undici.request(origin + p, { dispatcher: agent, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
    if (r.statusCode === 204) {
      await r.body.dump();
      return null;
    }
    return r.body.json();
  }
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
  const url = `http://127.0.0.1:${port}/api/v1/status`;
  const headers = { authorization: AUTH, accept: 'application/json' };
  return async () => {
    const r = await undici.request(url, { dispatcher: agent, headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
    return r.body.json();
  };
}

module.exports = { undici, makeAgent, barePoller, bareStatus, AUTH };

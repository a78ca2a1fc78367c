'use strict';
/**
 * A hostile device: a small HTTP server on 127.0.0.1 that answers the paths of
 * the Mediant REST API (/api/v1/...) like a plain device, and misbehaves in the
 * ways a broken device, a proxy in front of it or an attacker would, one switch
 * at a time. The faithful simulator (src/simulator) never does any of this.
 *
 * API
 *   const { startHostile } = require('../helpers/hostile');
 *   const dev = await startHostile({ username: 'Admin', password: 'secret' });
 *   dev.host, dev.port          where it listens (127.0.0.1, a free port)
 *   dev.clientOptions(extra)    { host, port, protocol: 'http', username, password, ...extra }
 *   dev.deviceProps(extra)      a `mediant-device` node's properties for it (for flowFor)
 *   dev.set({ ...switches })    turns misbehaviours on (merged into what is on)
 *   dev.reset()                 every switch off, the default alarms back, the log emptied,
 *                               connections still held back by slowAcceptMs dropped
 *   dev.setAlarms(type, list)   the alarms of 'active' or 'history' ({ id, description,
 *                               severity, source, date, ...any field }, sent as given)
 *   dev.requests                every request received: { method, path, url, headers, body }
 *                               (body: Buffer, complete once the request ended)
 *   dev.apiRequests()           the same, without anything outside /api
 *   dev.connections()           connections accepted so far (a number)
 *   await dev.close()           stops, destroying every connection and timer
 *
 * Without switches it answers: /status, /alarms/{active,history} (pages of
 * `limit`, default 20, with an `after` cursor; 204 when empty), their details
 * /alarms/<type>/<id>, /performanceMonitoring (list, discovery of two indexes,
 * values), /license (GET, PUT), /files/{ini,cliScript} (GET, PUT),
 * /files/cliScript/incremental (PUT), /actions/{reset,saveConfiguration} (POST);
 * a wrong or missing Basic authorization gets 401; anything else 404. Every
 * JSON answer is application/json with a Content-Length.
 *
 * Switches (all off by default; `only: /regexp/` limits every switch to the
 * paths it matches, e.g. only: /\/alarms\/active\/\d+$/ for detail reads):
 *   deepJson: N          every JSON object answer carries `deep`, N levels of
 *                        nested objects ({"d":{"d":...}}); pages carry it in each alarm
 *   oddTypes: true       fields of unexpected types: objects such as
 *                        {"toString":1} where text belongs, numbers, arrays,
 *                        null; a PM discovery listing "0", {}, -1 and 1.5 as indexes
 *   numericIds: true     alarm ids and cursors sent as JSON numbers, not strings
 *   refusedId: true      the alarm lists carry one more alarm whose id is
 *                        "../actions/reset" (no client may follow it)
 *   endlessPages: true   the alarm lists never end: every page holds `limit`
 *                        new alarms and an advancing `after` cursor; the PM
 *                        discovery lists 1,000,000 indexes
 *   hugeDetails: N       each alarm's details carry a string field `blob` of N bytes
 *   pmIndexes: N         the PM discovery lists the indexes 0 .. N-1
 *   trickleMs: N         the answer's headers come at once (with the full
 *                        Content-Length), then its body one byte every N ms
 *   processingFlood: N   a `102 Processing` interim answer every N ms, never a
 *                        final one
 *   echoCredentials: true  every API call answers 500 with a JSON `description`
 *                        that quotes the Authorization header, the decoded
 *                        `user:password`, the password alone and a `Basic` token,
 *                        and the same in an `X-Echo` header
 *   echoHeader: true     answers as usual, with the Authorization header echoed in `X-Echo`
 *   echoInBody: true     answers as usual, but /status's operationalState, every
 *                        `description` and a CLI script's `output` quote the password
 *                        and the Authorization header
 *   slowAcceptMs: N      a new connection is taken up only N ms after it arrived
 *                        (the TCP handshake completes; HTTP waits)
 *   silent: true         requests are read and never answered
 *   status: CODE         every API call answers CODE with { description: 'hostile CODE' }
 */
const http = require('node:http');
const net = require('node:net');

const DEFAULT_ALARMS = {
  active: [
    { id: '1', description: 'Trunk is down', severity: 'major', source: 'Board#1/Trunk#1', date: '2024-01-01T10:00:00Z' },
    { id: '2', description: 'Fan failure', severity: 'critical', source: 'Board#1/Fan#1', date: '2024-01-01T10:05:00Z' },
  ],
  history: [{ id: '1', description: 'Trunk is down', severity: 'major', source: 'Board#1/Trunk#1', date: '2024-01-01T10:00:00Z' }],
};

const ODD = { toString: 1, valueOf: 2 };

let endless;
/** A PM discovery listing 1,000,000 indexes (about 7 MB of JSON, under the client's 16 MiB cap). */
function endlessDiscovery() {
  endless ??= `{"indexes":[${Array.from({ length: 1_000_000 }, (_, i) => i).join(',')}],"intervalsPerIndex":[0,1,2]}`;
  return endless;
}

function deepObject(levels) {
  let v = { end: true };
  for (let i = 0; i < levels; i++) v = { d: v };
  return v;
}

/** `{"d":` × N ... `}` × N without building (or recursing into) the object. */
function deepJsonText(levels) {
  return `${'{"d":'.repeat(levels)}{"end":true}${'}'.repeat(levels)}`;
}

/** JSON text of `value` where the marker string stands for a deep object of `levels`. */
const DEEP_MARK = '"__hostile_deep__"';
function toJson(value, levels) {
  const text = JSON.stringify(value);
  return levels > 0 ? text.split(DEEP_MARK).join(deepJsonText(levels)) : text;
}

async function startHostile(opts = {}) {
  const username = opts.username ?? 'Admin';
  const password = opts.password ?? 'Admin';
  const expectedAuth = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

  let sw = {};
  let alarms = structuredClone(DEFAULT_ALARMS);
  const requests = [];
  const timers = new Set();
  const sockets = new Set();
  /** Connections held back by slowAcceptMs, not yet seen by HTTP: socket -> its timer. */
  const held = new Map();
  let accepted = 0;

  const later = (fn, ms) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const every = (fn, ms) => {
    const t = setInterval(fn, ms);
    timers.add(t);
    return () => {
      clearInterval(t);
      timers.delete(t);
    };
  };

  const applies = (path) => !sw.only || sw.only.test(path);

  function alarmOut(a, path) {
    const on = applies(path);
    const out = { ...a };
    if (on && sw.numericIds && /^\d+$/.test(String(a.id))) out.id = Number(a.id);
    if (on && sw.oddTypes) {
      out.description = ODD;
      out.severity = 42;
      out.source = ['Board#1'];
      out.date = null;
    }
    return out;
  }

  function page(type, query, path) {
    const on = applies(path);
    const limit = Math.max(1, Math.min(Number(query.get('limit') || 20) || 20, 1000));
    const after = Number(query.get('after') || 0) || 0;
    let list;
    let next;
    if (on && sw.endlessPages) {
      list = [];
      for (let i = 1; i <= limit; i++) {
        const id = String(after + i);
        list.push({ id, description: `Endless alarm ${id}`, severity: 'minor', source: 'Board#1', date: '2024-01-01T10:00:00Z' });
      }
      next = String(after + limit);
    } else {
      const all = alarms[type].slice();
      if (on && sw.refusedId) all.push({ id: '../actions/reset', description: 'Refused id', severity: 'minor', source: 'x', date: '2024-01-01T10:00:00Z' });
      // the cursor is a position in the list (the device's ids may be anything here)
      list = all.slice(after, after + limit);
      if (list.length === 0) return null;
      next = after + limit < all.length ? String(after + limit) : '-1';
    }
    const summaries = list.map((a) => {
      const s = alarmOut({ id: a.id, description: a.description, url: `/api/v1/alarms/${type}/${a.id}` }, path);
      if (on && sw.deepJson > 0) s.deep = JSON.parse(DEEP_MARK);
      return s;
    });
    const cursor = { after: next, before: '-1' };
    if (on && sw.numericIds) {
      cursor.after = Number(cursor.after);
      cursor.before = -1;
    }
    return { alarms: summaries, cursor };
  }

  function details(type, id, path) {
    let a = alarms[type].find((x) => String(x.id) === id);
    if (!a && sw.endlessPages && applies(path) && /^\d+$/.test(id)) {
      a = { id, description: `Endless alarm ${id}`, severity: 'minor', source: 'Board#1', date: '2024-01-01T10:00:00Z' };
    }
    if (!a) return undefined;
    const out = alarmOut({ ...a, url: `/api/v1/alarms/${type}/${a.id}` }, path);
    if (applies(path) && sw.hugeDetails > 0) out.blob = 'x'.repeat(sw.hugeDetails);
    return out;
  }

  /** [status, body object | null] for a well-formed request to `path`. */
  function route(method, path, query) {
    const m = /^\/api\/v1\/alarms\/(active|history)(?:\/([^/]+))?$/.exec(path);
    if (m && method === 'GET') {
      if (m[2] === undefined) {
        const p = page(m[1], query, path);
        return p === null ? [204, null] : [200, p];
      }
      const d = details(m[1], decodeURIComponent(m[2]), path);
      return d ? [200, d] : [404, { description: 'Alarm not found' }];
    }
    const odd = applies(path) && sw.oddTypes;
    switch (`${method} ${path}`) {
      case 'GET /api/v1/status':
        return [
          200,
          odd
            ? { productType: ODD, versionID: 7.4, operationalState: ['UNLOCKED'], highAvailability: null, localTimeStamp: { toString: 1 } }
            : { productType: 'Mediant SW', versionID: '7.40A.500.100', operationalState: 'UNLOCKED', highAvailability: 'Not Operational', localTimeStamp: '2024-01-01T10:00:00Z' },
        ];
      case 'GET /api/v1/alarms':
        return [200, { alarms: [{ id: 'active', url: '/api/v1/alarms/active' }, { id: 'history', url: '/api/v1/alarms/history' }] }];
      case 'GET /api/v1/performanceMonitoring':
        return [200, { items: odd ? [ODD, 3] : ['NetUtilKBytes', 'CpuUtilization'] }];
      case 'GET /api/v1/license':
        return [200, odd ? { licenseVersion: ODD, key: 42 } : { licenseVersion: 1, key: 'KEY-1', serialNumber: '123' }];
      case 'PUT /api/v1/license':
        return [200, { description: 'License applied' }];
      case 'GET /api/v1/files/ini':
      case 'GET /api/v1/files/cliScript':
        return [200, null, 'text/plain', '; file\n'];
      case 'POST /api/v1/actions/reset':
        return [200, odd ? { description: ODD } : { description: 'Device will reset now' }];
      case 'POST /api/v1/actions/saveConfiguration':
        return [200, { description: 'Configuration saved' }];
      case 'PUT /api/v1/files/cliScript/incremental':
        return [200, odd ? { description: ODD, output: ['x'] } : { description: 'Script applied', output: 'ok' }];
      default:
        break;
    }
    if (method === 'PUT' && path.startsWith('/api/v1/files/')) return [200, { description: 'File uploaded' }];
    const pm = /^\/api\/v1\/performanceMonitoring\/([A-Za-z0-9_]+)$/.exec(path);
    if (pm && method === 'GET') {
      if (!query.has('index')) {
        if (applies(path) && sw.endlessPages) return [200, { indexes: '__endless__', intervalsPerIndex: [0, 1, 2] }];
        const listed = applies(path) && sw.pmIndexes >= 0 ? Array.from({ length: sw.pmIndexes }, (_, i) => i) : [0, 1];
        return [200, { indexes: odd ? ['0', {}, -1, 1.5] : listed, intervalsPerIndex: [0, 1, 2], lowThreshold: 10, highThreshold: 90 }];
      }
      const index = Number(query.get('index'));
      return [200, odd ? { index: ODD, interval: 'x', value: { toString: 1 } } : { index, interval: Number(query.get('interval') || 0), value: 42 + index }];
    }
    return [404, { description: 'Not found' }];
  }

  function answer(req, res) {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    const on = applies(path);
    const onClose = [];
    res.on('close', () => onClose.forEach((f) => f()));

    if (on && sw.silent) return;
    if (on && sw.processingFlood > 0) {
      onClose.push(every(() => res.writeProcessing(), sw.processingFlood));
      return;
    }
    const auth = req.headers.authorization;
    if (on && sw.echoCredentials && path.startsWith('/api')) {
      const decoded = typeof auth === 'string' && auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
      const pw = decoded.slice(decoded.indexOf(':') + 1);
      const text = `Denied for ${auth} (user ${decoded}, password ${pw}, token ${String(auth).slice(6)}, basic ${String(auth).toLowerCase()})`;
      return send(res, 500, { description: text }, { 'X-Echo': String(auth) });
    }
    if (auth !== expectedAuth) return send(res, 401, { description: 'Unauthorized' });
    if (on && sw.status) return send(res, sw.status, { description: `hostile ${sw.status}` });

    const [status, obj, type, text] = route(req.method, path, url.searchParams);
    if (on && sw.echoInBody && obj && typeof obj === 'object') {
      const echo = `${password} ${auth}`;
      if ('operationalState' in obj) obj.operationalState = echo;
      if ('description' in obj) obj.description = echo;
      if ('output' in obj) obj.output = echo;
    }
    if (status === 204) {
      res.writeHead(204);
      return res.end();
    }
    if (type) return send(res, status, undefined, {}, type, Buffer.from(text, 'utf8'));
    const deep = on && sw.deepJson > 0 ? sw.deepJson : 0;
    if (deep > 0 && obj && !Array.isArray(obj) && !('alarms' in obj)) obj.deep = JSON.parse(DEEP_MARK);
    let json = toJson(obj, deep);
    if (obj && obj.indexes === '__endless__') json = endlessDiscovery();
    return send(res, status, undefined, {}, 'application/json', Buffer.from(json, 'utf8'));
  }

  function send(res, status, obj, headers = {}, type = 'application/json', bytes = Buffer.from(JSON.stringify(obj), 'utf8')) {
    const path = new URL(res.req.url, 'http://x').pathname;
    if (sw.echoHeader && applies(path)) headers = { ...headers, 'X-Echo': String(res.req.headers.authorization) };
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, ...headers });
    if (sw.trickleMs > 0 && applies(path)) {
      let i = 0;
      const stop = every(() => {
        if (i >= bytes.length) {
          stop();
          res.end();
          return;
        }
        res.write(bytes.subarray(i, i + 1));
        i++;
      }, sw.trickleMs);
      res.on('close', stop);
      return undefined;
    }
    return res.end(bytes);
  }

  const server = http.createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 5000 }, (req, res) => {
    const entry = { method: req.method, path: new URL(req.url, 'http://x').pathname, url: req.url, headers: req.headers, body: Buffer.alloc(0) };
    requests.push(entry);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      entry.body = Buffer.concat(chunks);
    });
    // Answer at once (the body is logged as it arrives), as a device does for
    // errors; streamed uploads still end before the answer is read.
    if (req.method === 'PUT' || req.method === 'POST') req.on('end', () => answer(req, res));
    else answer(req, res);
  });

  // The front door: a raw TCP server that hands connections to HTTP, late when asked.
  const front = net.createServer({ pauseOnConnect: true }, (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const take = () => {
      if (socket.destroyed) return;
      server.emit('connection', socket);
      socket.resume();
    };
    if (sw.slowAcceptMs > 0) {
      // held back: a reset drops it (see reset()), so that a connection one
      // test gave up on never turns into a request logged in the next one
      const t = later(() => {
        held.delete(socket);
        take();
      }, sw.slowAcceptMs);
      held.set(socket, t);
    } else take();
  });
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', resolve);
  });
  const port = front.address().port;

  return {
    host: '127.0.0.1',
    port,
    requests,
    set(switches) {
      sw = { ...sw, ...switches };
    },
    reset() {
      for (const [socket, t] of held) {
        clearTimeout(t);
        timers.delete(t);
        socket.destroy();
      }
      held.clear();
      sw = {};
      alarms = structuredClone(DEFAULT_ALARMS);
      requests.length = 0;
    },
    setAlarms(type, list) {
      alarms[type] = list.map((a) => ({ ...a }));
    },
    apiRequests() {
      return requests.filter((r) => r.path.startsWith('/api'));
    },
    connections() {
      return accepted;
    },
    clientOptions(extra) {
      return { host: '127.0.0.1', port, protocol: 'http', username, password, ...extra };
    },
    deviceProps(extra) {
      return { host: '127.0.0.1', port: String(port), protocol: 'http', tls: '', ...extra };
    },
    async close() {
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      timers.clear();
      for (const s of sockets) s.destroy();
      server.closeAllConnections?.();
      await new Promise((r) => front.close(() => r()));
    },
  };
}

module.exports = { startHostile, deepObject, deepJsonText };

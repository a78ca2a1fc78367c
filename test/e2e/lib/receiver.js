'use strict';
// A stand-in for an outside service (chat webhook, ticketing REST API): a small HTTP
// server on 127.0.0.1 in the test process that records every request it gets.
const http = require('http');
const { onCleanup } = require('./procs');

const MAX_BODY = 1 << 20;

/**
 * `respond(req)` (optional) returns `{ status, body }` for a recorded request
 * `{ method, url, path, headers, text, json }`; default 200 `{ ok: true }`.
 */
async function startReceiver(name, respond) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) { res.writeHead(413).end(); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json;
      try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
      const rec = { method: req.method, url: req.url, path: req.url.split('?')[0], headers: req.headers, text, json };
      requests.push(rec);
      const out = (respond && respond(rec, requests)) || { status: 200, body: { ok: true } };
      rec.answer = out;
      const body = typeof out.body === 'string' ? out.body : JSON.stringify(out.body === undefined ? {} : out.body);
      res.writeHead(out.status || 200, { 'Content-Type': typeof out.body === 'string' ? 'text/plain' : 'application/json' });
      res.end(body);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  const unregister = onCleanup(close);
  return {
    name,
    url,
    requests,
    clear() { requests.length = 0; },
    async close() { unregister(); await close(); },
  };
}

module.exports = { startReceiver };

'use strict';
/** Sorts a request logged by the simulator into the kinds the bench counts. */

const LIST = /^\/api\/v1\/alarms\/(active|history)\/?(\?.*)?$/;
const DETAIL = /^\/api\/v1\/alarms\/(active|history)\/[^/?]+\/?(\?.*)?$/;

function classify(method, path) {
  const m = LIST.exec(path);
  if (m && method === 'GET') return /[?&]after=/.test(m[2] || '') ? 'listNext' : 'listFirst';
  if (method === 'GET' && DETAIL.test(path)) return 'detail';
  if (method === 'GET' && /^\/api\/v1\/status\/?(\?|$)/.test(path)) return 'status';
  if (method === 'PUT' && path.startsWith('/api/v1/files/')) return 'upload';
  return 'other';
}

module.exports = { classify };

'use strict';
/**
 * A small Node-RED context store backed by Redis, for the crash campaign
 * (no maintained Redis context store plugin could be installed from the npm
 * registry: node-red-context-redis and its forks are not published there).
 * It writes at once: set() calls back when Redis has answered, which is what
 * makes the window between send() and delivery matter (issue 13).
 *
 * One hash per scope: `<prefix><scope>` -> { key: JSON }. Top-level keys only
 * (what the alarms node uses); clean() deletes the hashes of scopes that are
 * not active, as Node-RED asks every store to (the reason why replicas sharing
 * a prefix delete each other's state).
 */
const Redis = require('ioredis');

function RedisContext(config) {
  this.config = config || {};
  this.prefix = this.config.prefix || 'nr:';
}

RedisContext.prototype.open = function () {
  this.client = new Redis({ host: this.config.host || '127.0.0.1', port: this.config.port || 6379, maxRetriesPerRequest: 3 });
  this.client.on('error', () => undefined);
  return this.client.ping().then(() => undefined);
};

RedisContext.prototype.close = function () {
  return this.client.quit().then(() => undefined, () => undefined);
};

const parse = (v) => (v === null || v === undefined ? undefined : JSON.parse(v));

RedisContext.prototype.get = function (scope, key, callback) {
  if (typeof callback !== 'function') throw new Error('redis context store: only asynchronous access is supported');
  const keys = Array.isArray(key) ? key : [key];
  this.client.hmget(this.prefix + scope, ...keys).then(
    (values) => callback(null, ...values.map(parse)),
    (err) => callback(err),
  );
};

RedisContext.prototype.set = function (scope, key, value, callback) {
  const keys = Array.isArray(key) ? key : [key];
  const values = Array.isArray(key) ? value : [value];
  const multi = this.client.multi();
  keys.forEach((k, i) => {
    if (values[i] === undefined) multi.hdel(this.prefix + scope, k);
    else multi.hset(this.prefix + scope, k, JSON.stringify(values[i]));
  });
  multi.exec().then(
    () => callback && callback(null),
    (err) => callback && callback(err),
  );
};

RedisContext.prototype.keys = function (scope, callback) {
  this.client.hkeys(this.prefix + scope).then((k) => callback(null, k), (err) => callback(err));
};

RedisContext.prototype.delete = function (scope) {
  return this.client.del(this.prefix + scope).then(() => undefined);
};

RedisContext.prototype.clean = async function (activeNodes) {
  const active = new Set(activeNodes);
  let cursor = '0';
  do {
    const [next, found] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 100);
    cursor = next;
    for (const k of found) {
      const scope = k.slice(this.prefix.length);
      if (scope === 'global') continue;
      const [nodeId] = scope.split(':');
      if (!active.has(nodeId)) await this.client.del(k);
    }
  } while (cursor !== '0');
};

module.exports = function (config) {
  return new RedisContext(config);
};

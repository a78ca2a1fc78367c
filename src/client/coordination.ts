/**
 * Coordination of Node-RED replicas through Redis: one writer per device.
 *
 * Each watched device gets three keys (`<prefix>{<key>}:lease|fence|state`,
 * one hash slot so that a Redis Cluster accepts the scripts):
 * - the lease: `SET lease "<owner> <token>" NX PX <ttl>`, taken with a
 *   fencing token from `INCR fence` (so every acquisition has a larger one),
 *   renewed while held (at every poll, and on a timer between polls);
 * - the state: written only by a script that checks that the lease still
 *   names this owner AND this token, so an old holder that was paused past its
 *   lease (a long GC, a stopped VM) cannot overwrite what the new holder
 *   stored; the write then fails with EBUSY and the old holder stands by.
 * A standby tries to take the lease every third of the lease time, and the
 * holder releases it when it stops, so a takeover comes within the lease
 * time plus that after the holder dies, and at once after a clean stop.
 *
 * The Redis client (ioredis) is required only when a coordinator is built,
 * that is only when a `mediant-cluster` node is configured: without one the
 * package never loads it. Commands fail fast (no offline queue) and have a
 * timeout; a lost connection is retried in the background.
 *
 * Knows nothing of Node-RED; nothing here ever sees a device.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { MediantBusyError, MediantError, MediantNetworkError, isMediantError } from './errors';
import type { Lease, StateStore } from './alarm-watch';
import type { TlsOptions } from './types';

export interface CoordinatorOptions {
  host: string;
  /** Default 6379. */
  port?: number;
  username?: string;
  password?: string;
  /** TLS to the Redis server (CA, client certificate, verification): omitted = plain TCP. */
  tls?: TlsOptions;
  /** Prefix of every key. Default `mediant:`. */
  prefix?: string;
  /** Lease time, ms. Default 15000. */
  leaseMs?: number;
  /** Timeout of every command and of connecting, ms. Default 5000. */
  timeoutMs?: number;
  /** Who this instance is, as other instances see it. Default `<hostname>/<pid>/<random>`. */
  owner?: string;
}

export const DEFAULT_LEASE_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 5_000;

/** The few ioredis methods used here (the package's types are not needed to build). */
interface RedisLike {
  status: string;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  get(key: string): Promise<string | null>;
  on(event: 'error' | 'ready' | 'end', cb: (err?: Error) => void): unknown;
  once(event: 'ready' | 'end' | 'error', cb: (err?: Error) => void): unknown;
  removeListener(event: string, cb: (...a: unknown[]) => void): unknown;
  defineCommand(name: string, def: { numberOfKeys: number; lua: string }): void;
  [script: string]: unknown;
}
type RedisCtor = new (opts: Record<string, unknown>) => RedisLike;

/** Take the lease, or keep it when it is already ours: [held 0/1, token, owner seen]. */
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local owner, token = string.match(cur, '^(.*) (%d+)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, tonumber(token), owner}
  end
  return {0, 0, owner or ''}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. token, 'NX', 'PX', ARGV[2])
return {1, token, ARGV[1]}`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/** Write the state only while the lease names this owner and token. */
const FENCED_SET = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0`;

let Redis: RedisCtor | undefined;

function loadRedis(): RedisCtor {
  if (!Redis) {
    // Lazily: only a configured mediant-cluster node loads the client.
    const mod = require('ioredis') as { default?: RedisCtor } & RedisCtor;
    Redis = mod.default ?? mod;
  }
  return Redis;
}

export class RedisCoordinator {
  readonly owner: string;
  readonly leaseMs: number;
  readonly target: string;
  private readonly redis: RedisLike;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly secrets: string[];
  private closed = false;
  private lastError: string | undefined;

  constructor(opts: CoordinatorOptions) {
    const port = opts.port ?? 6379;
    this.target = `${opts.host}:${port}`;
    this.prefix = opts.prefix ?? 'mediant:';
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.owner = opts.owner ?? `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
    this.secrets = [opts.password ?? ''].filter((s) => s.length >= 3);
    const R = loadRedis();
    const options: Record<string, unknown> = {
      host: opts.host,
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.timeoutMs,
      connectTimeout: this.timeoutMs,
      retryStrategy: (times: number) => Math.min(200 * times, 5000),
    };
    if (opts.username) options.username = opts.username;
    if (opts.password) options.password = opts.password;
    if (opts.tls) options.tls = { ...opts.tls, rejectUnauthorized: opts.tls.rejectUnauthorized !== false };
    this.redis = new R(options);
    // Without a listener, a connection error would be an unhandled 'error' event.
    this.redis.on('error', (err) => {
      this.lastError = err ? this.scrub(err.message) : 'error';
    });
    this.redis.defineCommand('mediantAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    this.redis.defineCommand('mediantRenew', { numberOfKeys: 1, lua: RENEW });
    this.redis.defineCommand('mediantRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis.defineCommand('mediantFencedSet', { numberOfKeys: 2, lua: FENCED_SET });
    this.redis.connect().catch(() => undefined); // reconnects on its own; commands wait for it below
  }

  /** The lease and the fenced store of one watched device. */
  unit(key: string): { lease: RedisLease; store: FencedStore } {
    const base = `${this.prefix}{${key}}`;
    const lease = new RedisLease(this, `${base}:lease`, `${base}:fence`);
    return { lease, store: new FencedStore(this, lease, `${base}:lease`, `${base}:state`) };
  }

  /** Whether the connection is up. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.race([this.redis.quit(), new Promise((r) => setTimeout(r, this.timeoutMs).unref())]);
    } catch {
      // already gone
    }
    this.redis.disconnect();
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out.length > 200 ? `${out.slice(0, 200)}…` : out;
  }

  private error(err: unknown): MediantError {
    if (isMediantError(err)) return err;
    const why = this.scrub(err instanceof Error ? err.message : String(err));
    return new MediantNetworkError('coordinate', `Redis at ${this.target}: ${why}`);
  }

  /** Waits (up to the timeout) for the connection to be ready. */
  private ready(): Promise<void> {
    if (this.closed) return Promise.reject(new MediantNetworkError('coordinate', `Redis at ${this.target}: closed`));
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.redis.removeListener('ready', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.redis.removeListener('ready', done);
        reject(new MediantNetworkError('coordinate', `Redis at ${this.target}: not connected${this.lastError ? ` (${this.lastError})` : ''}`));
      }, this.timeoutMs);
      timer.unref();
      this.redis.once('ready', done);
    });
  }

  /** Runs one command (a script or GET), with the errors in our words. */
  async run<R>(name: string, ...args: Array<string | number>): Promise<R> {
    await this.ready();
    try {
      const fn = this.redis[name] as (...a: Array<string | number>) => Promise<R>;
      return await fn.apply(this.redis, args);
    } catch (err) {
      throw this.error(err);
    }
  }
}

export class RedisLease implements Lease {
  private held = false;
  private validUntil = 0;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private _token = 0;
  private _holder: string | undefined;

  constructor(
    private readonly c: RedisCoordinator,
    private readonly leaseKey: string,
    private readonly fenceKey: string,
  ) {}

  get token(): number {
    return this._token;
  }

  get holder(): string | undefined {
    return this._holder;
  }

  get retryMs(): number {
    return Math.max(250, Math.floor(this.c.leaseMs / 3));
  }

  /** The value the lease key has while this instance holds it. */
  get mine(): string {
    return `${this.c.owner} ${this._token}`;
  }

  /** Whether this instance holds the lease, by its own clock (with a safety margin). */
  get valid(): boolean {
    return this.held && Date.now() < this.validUntil - Math.min(1000, this.c.leaseMs / 10);
  }

  async hold(): Promise<boolean> {
    const start = Date.now();
    let r: [number, number, string];
    try {
      r = await this.c.run<[number, number, string]>('mediantAcquire', this.leaseKey, this.fenceKey, this.c.owner, this.c.leaseMs);
    } catch (err) {
      this.lose();
      throw err;
    }
    if (Number(r[0]) !== 1) {
      this._holder = String(r[2] ?? '').split('/').slice(0, 2).join('/') || undefined;
      this.lose();
      return false;
    }
    this._holder = undefined;
    this._token = Number(r[1]);
    this.held = true;
    this.validUntil = start + this.c.leaseMs;
    this.lastRenew = start;
    this.keepAlive();
    return true;
  }

  async release(): Promise<void> {
    const mine = this.mine;
    const wasHeld = this.held;
    this.lose();
    if (wasHeld) await this.c.run('mediantRelease', this.leaseKey, mine).catch(() => undefined);
  }

  private lose(): void {
    this.held = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Renews between polls when half the lease has gone by without one, so that
   * a long poll interval or a long poll never lets it lapse; a poll's hold()
   * renews it anyway, so at short intervals this timer sends nothing.
   */
  private keepAlive(delay = Math.floor(this.c.leaseMs / 2)): void {
    if (this.timer) clearTimeout(this.timer);
    const every = Math.floor(this.c.leaseMs / 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.held) return;
      const since = Date.now() - this.lastRenew;
      if (since < every) return this.keepAlive(every - since);
      const start = Date.now();
      this.c.run<number>('mediantRenew', this.leaseKey, this.mine, this.c.leaseMs).then(
        (ok) => {
          if (!this.held) return;
          if (Number(ok) === 1) {
            this.validUntil = start + this.c.leaseMs;
            this.lastRenew = start;
            this.keepAlive();
          } else this.lose();
        },
        () => {
          // Not reachable: keep trying while the lease may still be ours.
          if (this.held && Date.now() < this.validUntil) this.keepAlive();
          else this.lose();
        },
      );
    }, delay);
    this.timer.unref();
  }
}

export class FencedStore implements StateStore {
  constructor(
    private readonly c: RedisCoordinator,
    private readonly lease: RedisLease,
    private readonly leaseKey: string,
    private readonly key: string,
  ) {}

  async load(): Promise<unknown> {
    const text = await this.c.run<string | null>('get', this.key);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // damaged: the watch starts afresh and says so
    }
  }

  async save(value: unknown): Promise<void> {
    const ok = await this.c.run<number>('mediantFencedSet', this.leaseKey, this.key, this.lease.mine, JSON.stringify(value));
    if (Number(ok) !== 1) throw new MediantBusyError('store alarm state', 'another Node-RED instance now holds this device');
  }
}

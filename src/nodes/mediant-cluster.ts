/**
 * mediant-cluster: a config node naming a Redis server through which Node-RED
 * replicas running the same flows agree that one of them polls each device
 * (see src/client/coordination.ts). Optional: polling nodes that name none
 * behave as before, and without one the Redis client is never loaded.
 *
 * Like the core mqtt broker node, it connects when the first polling node
 * registers and disconnects when the last one stops. Host, port, a core
 * tls-config node, a key prefix and the lease time are properties; user
 * name and password are credentials, never shown.
 */
import { RedisCoordinator, DEFAULT_LEASE_MS } from '../client/coordination';
import { MediantError, isMediantError } from '../client/errors';
import type { TlsOptions } from '../client/types';
import { checkHost, checkPort } from '../client/validate';
import type { ClusterNode } from './lib/cluster';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { checks, fromConfig } from './lib/overrides';
import type { Node, NodeAPI, NodeDef } from './lib/red';
import { tlsOptionsOf, warnIfUnverified } from './lib/tls';

const TYPE = 'mediant-cluster';
const PREFIX = /^[A-Za-z0-9:._{}-]{0,64}$/;

const prefixCheck = {
  expected: 'up to 64 letters, digits and : . _ - { }',
  parse: (v: unknown): string | undefined => (typeof v === 'string' && PREFIX.test(v) ? v : undefined),
};

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);

  registerNode(
    RED,
    TYPE,
    function MediantCluster(this: Node, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const self = this as ClusterNode;
      const users = new Set<Node>();
      let coordinator: RedisCoordinator | undefined;
      const label = typeof def.name === 'string' && def.name.trim() !== '' ? def.name.trim() : `${String(def.host ?? '')}:${String(def.port || 6379)}`;

      const settings = (): ConstructorParameters<typeof RedisCoordinator>[0] => {
        const wrap = <T>(f: () => T): T => {
          try {
            return f();
          } catch (e) {
            const reason = e instanceof Error ? e.message : String(e);
            throw new MediantError('EINPUT', 'cluster', t('error.badConfig', { cluster: label, reason }, TYPE));
          }
        };
        const host = wrap(() => checkHost(typeof def.host === 'string' ? def.host.trim() : def.host, 'host'));
        const port = def.port === undefined || def.port === '' ? 6379 : wrap(() => checkPort(typeof def.port === 'string' ? def.port.trim() : def.port, 'port'));
        const prefix = wrap(() => fromConfig(def, 'prefix', 'mediant:', prefixCheck));
        const leaseSeconds = wrap(() => fromConfig(def, 'leaseSeconds', DEFAULT_LEASE_MS / 1000, checks.integer(3, 3600)));
        let tls: TlsOptions | undefined;
        if (typeof def.tls === 'string' && def.tls !== '' && def.tls !== '_ADD_') {
          tls = tlsOptionsOf(RED, def.tls, label);
          warnIfUnverified(RED, this, tls, def.tls, label);
        }
        const creds = this.credentials ?? {};
        return {
          host,
          port,
          prefix,
          leaseMs: leaseSeconds * 1000,
          ...(creds.username ? { username: creds.username } : {}),
          ...(creds.password ? { password: creds.password } : {}),
          ...(tls ? { tls } : {}),
        };
      };

      self.register = (user: Node): RedisCoordinator => {
        if (!coordinator) {
          try {
            coordinator = new RedisCoordinator(settings());
          } catch (e) {
            if (isMediantError(e)) throw e;
            // The Redis client package is missing or failed to load.
            throw new MediantError('EINPUT', 'cluster', t('error.noClient', { reason: e instanceof Error ? e.message : String(e) }, TYPE));
          }
        }
        users.add(user);
        return coordinator;
      };

      self.deregister = (user: Node): void => {
        users.delete(user);
        if (users.size === 0 && coordinator) {
          const c = coordinator;
          coordinator = undefined;
          void c.close();
        }
      };

      this.on('close', (_removed, done) => {
        users.clear();
        const c = coordinator;
        coordinator = undefined;
        (c ? c.close() : Promise.resolve()).then(done, done);
      });
    },
    {
      credentials: {
        username: { type: 'text' },
        password: { type: 'password' },
      },
    },
  );
};

/**
 * What a polling node sees of a `mediant-cluster` config node: it registers
 * while it runs (the first user connects to Redis, the last one to stop
 * disconnects, as the core mqtt broker node does) and gets the coordinator,
 * which hands out one lease and one fenced store per watched device.
 */
import type { RedisCoordinator } from '../../client/coordination';
import type { Node } from './red';

export interface ClusterNode extends Node {
  /** Starts using the cluster; throws a MediantError when it cannot be used (bad settings, no Redis client). */
  register(user: Node): RedisCoordinator;
  /** Stops using it; the connection closes after the last user. */
  deregister(user: Node): void;
}

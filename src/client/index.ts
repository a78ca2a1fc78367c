/**
 * node-red-contrib-mediant client: a typed, safe client for the AudioCodes
 * Mediant REST API. Nothing here imports Node-RED.
 */
export {
  MediantClient,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_ALARM_PAGES,
  DEFAULT_MAX_KPI_PAGES,
  kpiNumber,
  kpiValues,
  isFinalTestCallStatus,
  statusFlag,
  multipartForVersion,
  PRIVILEGE_NAMES,
  privilegeFor,
  privilegeHint,
} from './client';
export type { InternalClientOptions } from './client';
export * from './errors';
export * from './types';
export * from './validate';
export { AlarmSync, usableState } from './alarm-sync';
export type { AlarmSyncState, AlarmSyncOptions, AlarmEvent, AlarmEventKind, PollResult } from './alarm-sync';
export { AlarmWatch } from './alarm-watch';
export type { AlarmWatchOptions, StateStore, Lease, WatchHooks, WatchStatus, DeliveryBatch } from './alarm-watch';
export { RedisCoordinator } from './coordination';
export type { CoordinatorOptions } from './coordination';

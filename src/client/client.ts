/**
 * MediantClient: one device, one undici connection pool, every operation of
 * the device's REST API as a method. The public front only: each method is
 * one line that hands the client's Transport to its operation.
 *
 * - transport.ts: settings, pool, the bound per device, the 409 retry, the
 *   reading of every answer into an ApiResponse or one MediantError;
 * - exchange.ts: one request under one deadline, with the answer's size cap;
 * - parse.ts: JSON with a depth limit, the device's error text, headers
 *   without credentials;
 * - ops/*.ts: per-resource operations (status and navigation, actions,
 *   files, alarms, pm, kpi, test call, admin (auth token, TLS and debug
 *   files), license, request), each checking every value it puts into a URL
 *   or body before anything is sent.
 */
import * as access from './ops/access';
import * as actions from './ops/actions';
import * as admin from './ops/admin';
import * as alarms from './ops/alarms';
import * as files from './ops/files';
import * as license from './ops/license';
import * as pm from './ops/pm';
import * as kpi from './ops/kpi';
import * as generic from './ops/request';
import * as status from './ops/status';
import * as testCall from './ops/test-call';
import { Transport } from './transport';
import type {
  AccountAccess,
  AlarmDetails,
  AlarmIterateOptions,
  AlarmPage,
  AlarmPageQuery,
  AlarmSummary,
  AlarmType,
  ApiResponse,
  AuthTokenRequest,
  AuthTokenResult,
  CliResult,
  ClientOptions,
  DebugFileCreated,
  DebugFileFetchOptions,
  DebugFileOptions,
  DescriptionBody,
  DeviceStatus,
  DownloadFileType,
  FileType,
  GenericRequest,
  KpiInterval,
  KpiItem,
  KpiIterateOptions,
  KpiPage,
  KpiQuery,
  KpiReadOptions,
  LicenseInfo,
  LicenseKey,
  MediantApi,
  NavItem,
  PmDiscovery,
  PmList,
  PmQuery,
  PmValue,
  PmValuesQuery,
  ResetOptions,
  TestCallConfig,
  TestCallDial,
  TestCallResult,
  TestCallRunOptions,
  TestCallSession,
  TestCallStatus,
  TlsDownloadKind,
  TlsFileKind,
  TlsFileList,
  UploadBody,
  UploadOptions,
} from './types';

export {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_CONNECTIONS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_QUEUED,
  DEFAULT_UPLOAD_TIMEOUT_MS,
  CONFLICT_RETRY_BASE_MS,
  CONFLICT_RETRY_CAP_MS,
  sleep,
} from './transport';
export type { InternalClientOptions } from './transport';
export { MAX_JSON_DEPTH } from './parse';
export { DEFAULT_MAX_ALARM_PAGES } from './ops/alarms';
export { DEFAULT_MAX_PM_INDEXES } from './ops/pm';
export { DEFAULT_MAX_KPI_PAGES, kpiNumber, kpiValues } from './ops/kpi';
export { isFinalTestCallStatus } from './ops/test-call';
export { statusFlag } from './ops/status';
export { multipartForVersion } from './transport';
export { PRIVILEGE_NAMES, privilegeFor, privilegeHint } from './privileges';

export class MediantClient implements MediantApi {
  readonly target: string;
  readonly #t: Transport;

  constructor(opts: ClientOptions) {
    this.#t = new Transport(opts);
    this.target = this.#t.target;
  }

  // ---- navigation ---------------------------------------------------------

  getApiRoot(): Promise<ApiResponse<{ versions: NavItem[] }>> {
    return status.getApiRoot(this.#t);
  }

  getNavigation(): Promise<ApiResponse<{ items: NavItem[] }>> {
    return status.getNavigation(this.#t);
  }

  getActions(): Promise<ApiResponse<{ actions: NavItem[] }>> {
    return status.getActions(this.#t);
  }

  getFiles(): Promise<ApiResponse<{ files: NavItem[] }>> {
    return status.getFiles(this.#t);
  }

  getAlarmsRoot(): Promise<ApiResponse<{ alarms: NavItem[] }>> {
    return status.getAlarmsRoot(this.#t);
  }

  // ---- actions ------------------------------------------------------------

  reset(opts?: ResetOptions, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
    return actions.reset(this.#t, opts, signal);
  }

  saveConfiguration(signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
    return actions.saveConfiguration(this.#t, signal);
  }

  // ---- files --------------------------------------------------------------

  uploadFile(fileType: FileType, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
    return files.uploadFile(this.#t, fileType, body, opts);
  }

  downloadFile(fileType: DownloadFileType, signal?: AbortSignal): Promise<ApiResponse<string>> {
    return files.downloadFile(this.#t, fileType, signal);
  }

  runCliScript(script: string, signal?: AbortSignal): Promise<ApiResponse<CliResult>> {
    return files.runCliScript(this.#t, script, signal);
  }

  // ---- alarms -------------------------------------------------------------

  getAlarmPage(type: AlarmType, query?: AlarmPageQuery, signal?: AbortSignal): Promise<ApiResponse<AlarmPage | null>> {
    return alarms.getAlarmPage(this.#t, type, query, signal);
  }

  iterateAlarms(type: AlarmType, opts?: AlarmIterateOptions): AsyncIterableIterator<AlarmSummary> {
    return alarms.iterateAlarms(this.#t, type, opts);
  }

  getAlarm(type: AlarmType, id: string, signal?: AbortSignal): Promise<ApiResponse<AlarmDetails>> {
    return alarms.getAlarm(this.#t, type, id, signal);
  }

  // ---- status -------------------------------------------------------------

  getStatus(signal?: AbortSignal): Promise<ApiResponse<DeviceStatus>> {
    return status.getStatus(this.#t, signal);
  }

  // ---- performance monitoring (7.0, 7.2) ----------------------------------

  listPms(signal?: AbortSignal): Promise<ApiResponse<PmList>> {
    return pm.listPms(this.#t, signal);
  }

  getPmDiscovery(name: string, signal?: AbortSignal): Promise<ApiResponse<PmDiscovery>> {
    return pm.getPmDiscovery(this.#t, name, signal);
  }

  getPmValue(name: string, query: PmQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue>> {
    return pm.getPmValue(this.#t, name, query, signal);
  }

  getPmValues(name: string, query?: PmValuesQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue[]>> {
    return pm.getPmValues(this.#t, name, query, signal);
  }

  // ---- KPI (7.4) ----------------------------------------------------------

  listKpi(path?: string, query?: KpiQuery, signal?: AbortSignal): Promise<ApiResponse<KpiPage | null>> {
    return kpi.listKpi(this.#t, path, query, signal);
  }

  iterateKpi(path: string, opts?: KpiIterateOptions): AsyncIterableIterator<KpiItem> {
    return kpi.iterateKpi(this.#t, path, opts);
  }

  getKpiCurrent(path: string, opts?: KpiReadOptions): Promise<ApiResponse<KpiItem[]>> {
    return kpi.getKpiCurrent(this.#t, path, opts);
  }

  getKpiHistory(path: string, interval: KpiInterval, opts?: KpiReadOptions): Promise<ApiResponse<KpiItem[]>> {
    return kpi.getKpiHistory(this.#t, path, interval, opts);
  }

  getLastKpiInterval(path: string, signal?: AbortSignal): Promise<ApiResponse<number | null>> {
    return kpi.getLastKpiInterval(this.#t, path, signal);
  }

  // ---- SIP test call (7.40A.600+) -----------------------------------------

  dialTestCall(dial: TestCallDial, signal?: AbortSignal): Promise<ApiResponse<TestCallSession>> {
    return testCall.dialTestCall(this.#t, dial, signal);
  }

  getTestCallStatus(sessionId: string, signal?: AbortSignal): Promise<ApiResponse<TestCallStatus>> {
    return testCall.getTestCallStatus(this.#t, sessionId, signal);
  }

  showTestCall(sessionId?: string, signal?: AbortSignal): Promise<ApiResponse<TestCallConfig>> {
    return testCall.showTestCall(this.#t, sessionId, signal);
  }

  dropTestCall(sessionId: string, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
    return testCall.dropTestCall(this.#t, sessionId, signal);
  }

  runTestCall(dial: TestCallDial, opts?: TestCallRunOptions): Promise<ApiResponse<TestCallResult>> {
    return testCall.runTestCall(this.#t, dial, opts);
  }

  // ---- auth token, TLS files, debug file (7.4) ----------------------------

  createAuthToken(req: AuthTokenRequest, signal?: AbortSignal): Promise<ApiResponse<AuthTokenResult>> {
    return admin.createAuthToken(this.#t, req, signal);
  }

  listTlsFiles(context?: string | number, signal?: AbortSignal): Promise<ApiResponse<TlsFileList | string>> {
    return admin.listTlsFiles(this.#t, context, signal);
  }

  downloadTlsFile(context: string | number, kind: TlsDownloadKind, signal?: AbortSignal): Promise<ApiResponse<string>> {
    return admin.downloadTlsFile(this.#t, context, kind, signal);
  }

  uploadTlsFile(context: string | number, kind: TlsFileKind, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
    return admin.uploadTlsFile(this.#t, context, kind, body, opts);
  }

  createDebugFile(opts?: { attachCoreDump?: boolean }, signal?: AbortSignal): Promise<ApiResponse<DebugFileCreated>> {
    return admin.createDebugFile(this.#t, opts, signal);
  }

  downloadDebugFile(opts?: DebugFileOptions): Promise<ApiResponse<Buffer | null>> {
    return admin.downloadDebugFile(this.#t, opts);
  }

  fetchDebugFile(opts?: DebugFileFetchOptions): Promise<ApiResponse<Buffer>> {
    return admin.fetchDebugFile(this.#t, opts);
  }

  // ---- license ------------------------------------------------------------

  getLicense(signal?: AbortSignal): Promise<ApiResponse<LicenseInfo>> {
    return license.getLicense(this.#t, signal);
  }

  putLicense(key: LicenseKey, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
    return license.putLicense(this.#t, key, signal);
  }

  putLicenseFile(body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
    return license.putLicenseFile(this.#t, body, opts);
  }

  // ---- generic ------------------------------------------------------------

  request(req: GenericRequest): Promise<ApiResponse<unknown>> {
    return generic.request(this.#t, req);
  }

  getAccess(signal?: AbortSignal): Promise<ApiResponse<AccountAccess>> {
    return access.getAccess(this.#t, signal);
  }

  /** The text with this client's credentials (password, its Basic token) cut out: for texts from the device. */
  redact(text: string): string {
    return this.#t.redact(text);
  }

  // ---- lifecycle ----------------------------------------------------------

  close(): Promise<void> {
    return this.#t.close();
  }

  destroy(): Promise<void> {
    return this.#t.destroy();
  }
}

/**
 * Public types of the Mediant REST client. `src/client` knows nothing of
 * Node-RED: these types are what the nodes (and users' own scripts) program
 * against. Paths in comments are under `/api/v1` unless they say otherwise.
 */
import type { Readable } from 'node:stream';

export type Protocol = 'https' | 'http';

export interface TlsOptions {
  /** PEM CA certificate(s) to trust instead of the system CAs (e.g. the device's own CA). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** PEM client certificate and key, for devices that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  /** Verify the device's certificate. Defaults to true; only an explicit false turns it off. */
  rejectUnauthorized?: boolean;
  /** Server name to verify against (SNI), where it differs from `host`. */
  servername?: string;
}

export interface ClientOptions {
  /** Host name or IP address: no scheme, no path. */
  host: string;
  /** Default 443 for https, 80 for http. */
  port?: number;
  /** Default https. */
  protocol?: Protocol;
  username: string;
  password: string;
  /**
   * Deadline in ms for a whole request: waiting for a free connection,
   * connecting, headers (1xx interim answers count against it) and body.
   * For uploads, the idle timeout (no progress for this long). Default 30000.
   */
  timeout?: number;
  /** Overall bound in ms on one upload and its answer, whatever its progress. Default 7200000 (2 h). */
  uploadTimeout?: number;
  /**
   * Requests to this device that may be waiting or under way at once; past
   * it a call is refused at once with EBUSY. Default 256.
   */
  maxQueued?: number;
  /** Connection limit of the pool. Default 6. */
  connections?: number;
  tls?: TlsOptions;
  /** Cap on any response body, in bytes. Default 16 MiB. */
  maxResponseBytes?: number;
  /**
   * How uploads (files, CLI scripts, license files, TLS files) are encoded:
   * true = multipart/form-data with one part named `file` (firmware 7.2 and
   * later, the vendor's 7.x pages), false = application/octet-stream (the
   * 2015 document, 7.0). Default `auto`: by the device's firmware, read from
   * its /status before the first upload (7.20 and later multipart; earlier,
   * or a version that cannot be read, octet-stream).
   */
  multipartUploads?: boolean | 'auto';
  /**
   * When > 0, a 409 Conflict (e.g. HA synchronization) is retried with backoff
   * for up to this many ms before it becomes an error. Bodies given as a
   * Readable cannot be re-sent and are not retried. Default 0.
   */
  conflictRetryMs?: number;
}

/** What every client call resolves to. */
export interface ApiResponse<T> {
  statusCode: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export const FILE_TYPES = [
  'ini',
  'ini/incremental',
  'cliScript',
  'cliScript/incremental',
  'software',
  'software/hitless',
  'amd',
  'castable',
  'codertable',
  'cpt',
  'dialplan',
  'prt',
  'voiceprompts',
] as const;
export type FileType = (typeof FILE_TYPES)[number];

/** File types whose upload makes the device reset (or switch over, for hitless). */
export const RESETTING_FILE_TYPES: readonly FileType[] = ['ini', 'cliScript', 'software', 'software/hitless'];

export const DOWNLOAD_FILE_TYPES = ['ini', 'cliScript'] as const;
export type DownloadFileType = (typeof DOWNLOAD_FILE_TYPES)[number];

export type AlarmType = 'active' | 'history';

/** A body to upload: bytes, text, or a file on disk that is streamed (never read whole). */
export type UploadBody = Buffer | string | { path: string } | Readable;

export interface UploadOptions {
  /** Called as bytes go out: (sent, total) — total is undefined when unknown. */
  onProgress?: (sent: number, total: number | undefined) => void;
  /** Override the client's multipartUploads setting for this call: true multipart/form-data, false octet-stream. */
  multipart?: boolean;
  /** What to call a `{ path }` body in an input error, e.g. `msg.filename`. Default `filename`. */
  filenameProperty?: string;
  signal?: AbortSignal;
}

export interface NavItem {
  id: string;
  description?: string;
  url: string;
  [k: string]: unknown;
}

export interface ResetOptions {
  saveConfiguration?: boolean;
  gracefulTimeout?: number;
}

/** `{ description }` or `{}` where the device sent no body. */
export interface DescriptionBody {
  description?: string;
  [k: string]: unknown;
}

/**
 * The answer to an incremental CLI script. `status`: firmware 7.x may send
 * it; anything but "success" is a failed script, which the client rejects
 * with a MediantDeviceError (EDEVICE) carrying the device's description and
 * output, so a resolved CliResult is always a script the device ran.
 */
export interface CliResult {
  status?: string;
  description?: string;
  output?: string;
  [k: string]: unknown;
}

export interface AlarmSummary {
  id: string;
  description: string;
  url: string;
  [k: string]: unknown;
}

/** "-1" where there is nothing more that way. 7.x also sends `start` and `end` (the first and last id of the whole list), kept where they are ids; any other key is left out. */
export interface AlarmCursor {
  after: string;
  before: string;
  start?: string;
  end?: string;
}

/** A page of alarms; ids are strings whatever JSON type the device sent. A 7.x 200 answer without `alarms` (the first page of an empty list) is a page with none. */
export interface AlarmPage {
  alarms: AlarmSummary[];
  cursor: AlarmCursor;
}

export interface AlarmDetails {
  id: string;
  description: string;
  severity: string;
  source: string;
  date: string;
  url: string;
  [k: string]: unknown;
}

export interface AlarmPageQuery {
  limit?: number;
  after?: string;
  before?: string;
}

export interface AlarmIterateOptions {
  /** Page size asked for. Default 20 (device default). */
  limit?: number;
  /** Start after this cursor (exclusive). */
  after?: string;
  /** Cap on pages read in one iteration (guards against a device that never ends). Default 10000. */
  maxPages?: number;
  signal?: AbortSignal;
}

/**
 * GET /status, as the device sends it. 7.0: the fields to highAvailability
 * (`Stand Alone`, `Active`). 7.2 and 7.4 add serialNumber, macAddress,
 * systemUpTime (a number; its unit is not documented, so it is passed on as
 * it is), saveNeeded and resetNeeded (booleans on 7.4, the strings
 * "true"/"false" on 7.2: statusFlag() reads both), upgradeStatus, and on
 * some products osType and acceleratedNetworking; highAvailability is then
 * `Not Operational` / `Operational`, and localTimeStamp may carry an offset
 * (`2022-07-06T21:36:39+01:00`).
 */
export interface DeviceStatus {
  localTimeStamp?: string;
  ipAddress?: string;
  subnetMask?: string;
  defaultGateway?: string;
  productType?: string;
  versionID?: string;
  protocolType?: string;
  operationalState?: string;
  highAvailability?: string;
  serialNumber?: string;
  macAddress?: string;
  systemUpTime?: number;
  saveNeeded?: boolean | string;
  resetNeeded?: boolean | string;
  upgradeStatus?: string;
  osType?: string;
  acceleratedNetworking?: string;
  [k: string]: unknown;
}

export interface PmList {
  items: string[];
}

export interface PmDiscovery {
  indexes: number[];
  intervalsPerIndex: number[];
  lowThreshold?: number;
  highThreshold?: number;
  [k: string]: unknown;
}

export interface PmValue {
  index: number;
  interval: number;
  value: number;
  min?: number;
  max?: number;
  average?: number;
  [k: string]: unknown;
}

export interface PmQuery {
  index: number;
  /** 0 current (default), 1 last 15 min, 2 previous 15 min. */
  interval?: number;
}

export interface PmValuesQuery {
  /** 0 current (default), 1 last 15 min, 2 previous 15 min. */
  interval?: number;
  /** A discovery listing more indexes than this is refused before any value is read. Default 10000. */
  maxIndexes?: number;
}

export interface LicenseInfo {
  licenseVersion: number;
  serialNumber?: string;
  key: string;
  keyDescription?: string;
  [k: string]: unknown;
}

export interface LicenseKey {
  licenseVersion: number;
  serialNumber?: string;
  key: string;
}

// ---- firmware 7.4: KPI (/kpi) ---------------------------------------------
//
// The tree: /kpi/{current|history}/<application>/<group>/<entity>[/<index>][/<kpi>],
// e.g. current/sbc/callStats/global, current/sbc/callStats/ipGroup/1/activeCallsIn.
// Every level lists its children as `{ items: [{ id, name, description, url }],
// cursor }`; an entity (or an index of one) lists its KPIs with their `value`;
// one KPI is `{ id, value }`. Current values are numbers (null where there
// is nothing to measure); history values are strings, as the device sends
// them: kpiNumber() reads both.

export type KpiScope = 'current' | 'history';

/** A history interval: its index, `last` (the newest completed one; single KPIs only) or `all` (single KPIs only). */
export type KpiInterval = number | 'last' | 'all';

/**
 * One entry of a KPI listing: an application, group, entity, index or KPI.
 * `id` is always a string (an index the device sends as a number is turned
 * into one); an item of a single KPI's `interval=all` history has no id but
 * an `interval`. Any other field the device sends is kept.
 */
export interface KpiItem {
  id?: string;
  name?: string;
  description?: string;
  url?: string;
  /** A KPI's value: a number (current), a string (history) or null (nothing to measure). */
  value?: number | string | null;
  /** History: the interval the value belongs to. */
  interval?: string;
  [k: string]: unknown;
}

/**
 * Where a page of a listing stands: `after` (the id to ask the next page
 * after) and `before`, "-1" where there is nothing more that way; `start`
 * and `end` (the first and last id of the whole listing) where the device
 * sends them. Any other key the device sends is left out.
 */
export interface KpiCursor {
  after: string;
  before: string;
  start?: string;
  end?: string;
}

/** One page of a KPI listing (a single KPI's answer is a page of one item). */
export interface KpiPage {
  items: KpiItem[];
  cursor: KpiCursor;
}

/** Query parameters of a KPI request; each is checked before anything is sent. */
export interface KpiQuery {
  /** Items per page (the device sends at most its own maximum). */
  limit?: number;
  /** The page after (or before) this id of the listing: a name or an index. */
  after?: string;
  before?: string;
  /** false: items without name and description. */
  detailed?: boolean;
  /** Just this KPI of an entity (`kpi=busyCallsInTotal`). */
  kpi?: string;
  /** Just this index of an indexed entity (`id=1`). */
  id?: string | number;
  /** History only: the interval. */
  interval?: KpiInterval;
}

export interface KpiReadOptions {
  limit?: number;
  /** Start after this id (the pages before are not read). */
  after?: string;
  detailed?: boolean;
  kpi?: string;
  id?: string | number;
  /** Pages read at most (a device that never ends). Default 1000. */
  maxPages?: number;
  signal?: AbortSignal;
}

export interface KpiIterateOptions extends KpiReadOptions {
  /** History: the interval. */
  interval?: KpiInterval;
}

// ---- firmware 7.40A.600+: SIP test call (/sipTestCall) ----------------------

export type TransportType = 'UDP' | 'TCP' | 'TLS';

/** POST /sipTestCall/dial: see checkTestCallDial for what each field takes. */
export interface TestCallDial {
  calledNumber: string;
  callingNumber: string;
  /** A host, IP address or host:port; or else destIpGroup. */
  destAddress?: string;
  /** An IP group's index or name. */
  destIpGroup?: string;
  /** -1..65535, only with destAddress. */
  outInterface?: number;
  /** Up to 16 DTMF digits played once connected. */
  playDtmfString?: string;
  /** -1 or 0..80; not 0 overrides playDtmfString. */
  playToneIndex?: number;
  /** Seconds from the dial until the device releases the call. Device default 20. */
  timeout?: number;
  transportType?: TransportType;
}

/** The dial's answer; `sessionId` is a string of digits whatever JSON type the device sent. */
export interface TestCallSession {
  sessionId: string;
  [k: string]: unknown;
}

/**
 * GET /sipTestCall/getStatus: `callStatus` (`Dialing`, `Ringing`,
 * `Connected`, `Disconnected`, `Failed,NoResources`, …), `callId`,
 * `releaseCause` once the call ended, `localStats`/`remoteStats` once it
 * connected (their fields vary by device).
 */
export interface TestCallStatus {
  callStatus: string;
  callId?: string;
  releaseCause?: string;
  localStats?: Record<string, unknown>;
  remoteStats?: Record<string, unknown>;
  [k: string]: unknown;
}

/** GET /sipTestCall/show: a call's settings, or the device's defaults without a session. */
export interface TestCallConfig {
  calledNumber?: string;
  callingNumber?: string;
  destAddress?: string;
  destIpGroup?: string;
  outInterface?: number;
  transportType?: string;
  playDtmfString?: string;
  playToneIndex?: number;
  timeout?: number;
  /** Seconds the device keeps a result after the call ended. */
  keepResultTimeout?: number;
  [k: string]: unknown;
}

export interface TestCallRunOptions {
  /** Between two status reads, ms. Default 1000 (100 to 60000). */
  pollIntervalMs?: number;
  /**
   * How long to wait for a final status, ms. Default: the call's timeout
   * (the dial's, else the device's own from /show) plus 10 s. When it
   * passes, the call is dropped and its status after the drop is the result.
   */
  maxWaitMs?: number;
  /** Aborting drops the call (best effort) and rejects with EABORTED. */
  signal?: AbortSignal;
  /** Each status read, as it comes. */
  onStatus?: (status: TestCallStatus) => void;
  /**
   * The session id, as soon as the device answered the dial: a caller that
   * must end the call itself (a Node-RED node closing while its connection
   * pool closes too) drops it by this id.
   */
  onDial?: (sessionId: string) => void;
}

/** What runTestCall resolves with. */
export interface TestCallResult {
  sessionId: string;
  /** The call was answered: `Connected` was seen, or its final status carries media statistics. */
  connected: boolean;
  /** The final status (after a drop, where the wait ran out). */
  status: TestCallStatus;
  /** The call was dropped because the wait ran out. */
  dropped: boolean;
}

// ---- firmware 7.4: auth token, TLS files, debug file -----------------------

export type AuthTokenLevel = 'admin' | 'operator' | 'monitor';

/** POST /actions/authToken (Security Administrator): a one-time Web single sign-on token for `username`. */
export interface AuthTokenRequest {
  username: string;
  privLevel: AuthTokenLevel;
  /** Seconds. */
  sessionTimeout?: number;
  /** For a Web UI in an iframe (CSRF). */
  crossHost?: string;
}

export interface AuthTokenResult {
  authToken: string;
  description?: string;
  [k: string]: unknown;
}

/** Files of a TLS context that can be downloaded, and those that can be uploaded. */
export type TlsDownloadKind = 'certificate' | 'trustedRoot';
export type TlsFileKind = TlsDownloadKind | 'privateKey';

/** GET /files/tls (the TLS contexts) or /files/tls/<context> (its files). Its shape is not documented: `files` where the device sends it. */
export interface TlsFileList {
  files?: NavItem[];
  [k: string]: unknown;
}

/** POST /files/create/debugFile: `transactionId` is a string where the device sends one. */
export interface DebugFileCreated {
  description?: string;
  transactionId?: string;
  [k: string]: unknown;
}

export interface DebugFileOptions {
  /** Cap on the file, bytes. Default: the client's maxResponseBytes. */
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface DebugFileFetchOptions extends DebugFileOptions {
  attachCoreDump?: boolean;
  /** Between two download tries while the device makes the file, ms. Default 2000 (100 to 60000). */
  pollIntervalMs?: number;
  /** How long the device may take to make it, ms. Default 300000 (5 min). */
  maxWaitMs?: number;
}

/** A device user level, lowest first: read only; actions, files and license reads; security (license writes, auth tokens). */
export type PrivilegeLevel = 'monitor' | 'admin' | 'securityAdmin';

/** What the account may do, as getAccess() found out without changing anything on the device. */
export interface AccountAccess {
  /** The highest level proven. */
  level: PrivilegeLevel;
  /** false when a check could not decide (a timeout, an unexpected answer): the account may be able to do more. */
  complete: boolean;
}

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface GenericRequest {
  method: HttpMethod;
  /** Path under /api/v1, e.g. `/alarms` or `alarms/active?limit=5`. */
  path: string;
  /**
   * Object or array: JSON, always (`{ path }` too: it is data, not a file);
   * Buffer or string: application/octet-stream; a Readable: streamed.
   */
  body?: unknown;
  /** Path of a file on this host to stream as the body (application/octet-stream), instead of `body`. */
  file?: string;
  /** What to call `file` in an input error, e.g. `msg.filename`. Default `file`. */
  fileProperty?: string;
  /** Operation name used in error messages. Default `request`. */
  operation?: string;
  /**
   * `Accept` header to send instead of the default
   * (`application/json, text/plain;q=0.9, *\/*;q=0.8`): media ranges only.
   */
  accept?: string;
  signal?: AbortSignal;
}

/**
 * The whole device API. `MediantClient` implements it; the nodes depend only
 * on this interface. Every method: resolves with the device's answer, rejects
 * with a MediantError (never anything else), treats 204 as "nothing there"
 * (body `null` or `{}` as documented per method), checks every value that goes
 * into a URL before any request is sent.
 */
export interface MediantApi {
  /** `host:port`, safe to show. */
  readonly target: string;

  // navigation
  getApiRoot(): Promise<ApiResponse<{ versions: NavItem[] }>>; // GET /api
  getNavigation(): Promise<ApiResponse<{ items: NavItem[] }>>; // GET /api/v1
  getActions(): Promise<ApiResponse<{ actions: NavItem[] }>>; // GET /actions
  getFiles(): Promise<ApiResponse<{ files: NavItem[] }>>; // GET /files
  getAlarmsRoot(): Promise<ApiResponse<{ alarms: NavItem[] }>>; // GET /alarms

  // actions
  reset(opts?: ResetOptions, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>>; // POST /actions/reset
  saveConfiguration(signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>>; // POST /actions/saveConfiguration, {} when empty

  // files
  uploadFile(fileType: FileType, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>>;
  /** UTF-8 text. Accept: octet-stream and text/plain (7.x); a 406 is tried again with each alone. */
  downloadFile(fileType: DownloadFileType, signal?: AbortSignal): Promise<ApiResponse<string>>;
  /** PUT /files/cliScript/incremental; a 200 whose `status` is not "success" rejects with EDEVICE. */
  runCliScript(script: string, signal?: AbortSignal): Promise<ApiResponse<CliResult>>;

  // alarms
  /** One page; body null on 204. */
  getAlarmPage(type: AlarmType, query?: AlarmPageQuery, signal?: AbortSignal): Promise<ApiResponse<AlarmPage | null>>;
  /** Follows `after` until `-1` or a 204; yields each summary in device order. */
  iterateAlarms(type: AlarmType, opts?: AlarmIterateOptions): AsyncIterableIterator<AlarmSummary>;
  getAlarm(type: AlarmType, id: string, signal?: AbortSignal): Promise<ApiResponse<AlarmDetails>>;

  // status
  getStatus(signal?: AbortSignal): Promise<ApiResponse<DeviceStatus>>;

  // performance monitoring
  listPms(signal?: AbortSignal): Promise<ApiResponse<PmList>>;
  getPmDiscovery(pm: string, signal?: AbortSignal): Promise<ApiResponse<PmDiscovery>>;
  getPmValue(pm: string, query: PmQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue>>;
  /** Discovery, then the value of every listed index (bounded by `maxIndexes` and the response cap). */
  getPmValues(pm: string, query?: PmValuesQuery, signal?: AbortSignal): Promise<ApiResponse<PmValue[]>>;

  // license
  getLicense(signal?: AbortSignal): Promise<ApiResponse<LicenseInfo>>;
  putLicense(key: LicenseKey, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>>; // application/json
  putLicenseFile(body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>>; // octet-stream

  // KPI (7.4): paths are below /kpi; current and history values are read through every page
  /** One page of a listing at any level of the tree (`''`, `current`, `current/sbc`, … or a listing's `url`); null on 204. A single KPI's `{ id, value }` is a page of one item. */
  listKpi(path?: string, query?: KpiQuery, signal?: AbortSignal): Promise<ApiResponse<KpiPage | null>>;
  /** Every item of a listing, page after page (bounded by maxPages; stops on a cursor that does not advance). */
  iterateKpi(path: string, opts?: KpiIterateOptions): AsyncIterableIterator<KpiItem>;
  /** GET /kpi/current/<path>, every page: an entity's KPIs with their values, one KPI as one item, [] on 204. */
  getKpiCurrent(path: string, opts?: KpiReadOptions): Promise<ApiResponse<KpiItem[]>>;
  /** GET /kpi/history/<path>?interval=, every page; [] on 204 (an interval not kept). */
  getKpiHistory(path: string, interval: KpiInterval, opts?: KpiReadOptions): Promise<ApiResponse<KpiItem[]>>;
  /** The newest completed history interval of an entity (`sbc/callStats/global`) or KPI; null when the device keeps none. */
  getLastKpiInterval(path: string, signal?: AbortSignal): Promise<ApiResponse<number | null>>;

  // SIP test call (7.40A.600 and later)
  dialTestCall(dial: TestCallDial, signal?: AbortSignal): Promise<ApiResponse<TestCallSession>>; // POST /sipTestCall/dial
  getTestCallStatus(sessionId: string, signal?: AbortSignal): Promise<ApiResponse<TestCallStatus>>; // GET /sipTestCall/getStatus?sessionId=
  /** GET /sipTestCall/show: a call's settings, or the device's defaults without a session id. */
  showTestCall(sessionId?: string, signal?: AbortSignal): Promise<ApiResponse<TestCallConfig>>;
  dropTestCall(sessionId: string, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>>; // DELETE /sipTestCall/drop?sessionId=, {} when empty
  /** Dial, read the status until it is final, drop the call on abort or when the wait runs out. */
  runTestCall(dial: TestCallDial, opts?: TestCallRunOptions): Promise<ApiResponse<TestCallResult>>;

  // auth token, TLS files, debug file (7.4)
  createAuthToken(req: AuthTokenRequest, signal?: AbortSignal): Promise<ApiResponse<AuthTokenResult>>; // POST /actions/authToken
  /** GET /files/tls, or /files/tls/<context>: JSON as sent, or text where the device sends text. */
  listTlsFiles(context?: string | number, signal?: AbortSignal): Promise<ApiResponse<TlsFileList | string>>;
  downloadTlsFile(context: string | number, kind: TlsDownloadKind, signal?: AbortSignal): Promise<ApiResponse<string>>; // PEM text
  uploadTlsFile(context: string | number, kind: TlsFileKind, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>>;
  createDebugFile(opts?: { attachCoreDump?: boolean }, signal?: AbortSignal): Promise<ApiResponse<DebugFileCreated>>; // POST /files/create/debugFile
  /** GET /files/debugFile: the file, or null while the device is still making it (an empty 200). */
  downloadDebugFile(opts?: DebugFileOptions): Promise<ApiResponse<Buffer | null>>;
  /** Create, then download until the device has made it (bounded by maxWaitMs). */
  fetchDebugFile(opts?: DebugFileFetchOptions): Promise<ApiResponse<Buffer>>;

  // anything else under /api/v1: body parsed JSON, a string for text/*, a Buffer otherwise, null on 204 or an empty body
  request(req: GenericRequest): Promise<ApiResponse<unknown>>;

  /** What this account may do on the device (read only, actions, security), found out without changing anything. */
  getAccess(signal?: AbortSignal): Promise<ApiResponse<AccountAccess>>;

  /** `text` with this client's credentials cut out (password, Basic token): for texts the device sent. */
  redact(text: string): string;

  /** Close the pool, letting requests under way finish. */
  close(): Promise<void>;
  /** Close the pool now, failing requests under way. */
  destroy(): Promise<void>;
}

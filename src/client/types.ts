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
  /** Send uploads as multipart/form-data with a field named `file` (some firmware). Default false. */
  multipartUploads?: boolean;
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
  /** Override the client's multipartUploads setting for this call. */
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

export interface CliResult {
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

export interface AlarmCursor {
  after: string;
  before: string;
}

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
  downloadFile(fileType: DownloadFileType, signal?: AbortSignal): Promise<ApiResponse<string>>; // UTF-8 text
  runCliScript(script: string, signal?: AbortSignal): Promise<ApiResponse<CliResult>>; // PUT /files/cliScript/incremental

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

  // anything else under /api/v1: body parsed JSON, a string for text/*, a Buffer otherwise, null on 204 or an empty body
  request(req: GenericRequest): Promise<ApiResponse<unknown>>;

  /** `text` with this client's credentials cut out (password, Basic token): for texts the device sent. */
  redact(text: string): string;

  /** Close the pool, letting requests under way finish. */
  close(): Promise<void>;
  /** Close the pool now, failing requests under way. */
  destroy(): Promise<void>;
}

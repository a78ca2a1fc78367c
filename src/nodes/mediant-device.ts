/**
 * mediant-device: the config node. It owns ONE MediantClient (one connection
 * pool) that every flow node naming it shares, closes that pool when the
 * config node closes (redeploy, removal), and lets flow nodes claim an
 * operation (`reset`) so that it never runs twice at once on one device.
 *
 * The editor's "Test connection" button posts the dialog's values to an admin
 * endpoint, which calls GET /status with a short-lived client, finds out what
 * the account may do (client getAccess: read-only checks), and answers in
 * plain words — never with the password.
 */
import { MediantClient } from '../client';
import { MediantBusyError, MediantError, MediantInputError, MediantSettingError, isMediantError } from '../client/errors';
import type { ClientOptions, MediantApi, Protocol } from '../client/types';
import { checkHost, checkInteger, checkPassword, checkPort, checkUsername } from '../client/validate';
import { deployedTarget, envSubstituted, forgetTarget, hideSubstituted, hostPort, rememberTarget, shownField, targetOf, type DialogValue } from './lib/admin';
import { deregisterDevice, registerDevice, type DeviceNode } from './lib/devices';
import { t, useRuntimeI18n } from './lib/i18n';
import { registerNode } from './lib/migrations';
import { asSetting, settingError, tlsOptionsOf, warnIfUnverified } from './lib/tls';
import type { HttpRequestLike, HttpResponseLike, Node, NodeAPI, NodeDef } from './lib/red';

/** What Node-RED's editor sends for a password field the user did not retype. */
const UNCHANGED_PASSWORD = '__PWRD__';
/** Longest a Test connection may take, whatever timeout the dialog has. */
const TEST_TIMEOUT_CAP_MS = 60_000;
/** How long close() may let requests under way finish before the pool is destroyed. */
const CLOSE_GRACE_MS = 5_000;
/**
 * Operations claimed per device (`<protocol://host:port> <operation>` -> the
 * claim's token): a reset of one
 * device is refused while another is under way, whichever config node, flow
 * node or message chose that device.
 */
const claims = new Map<string, object>();

/** The settings a client is built from: the node's properties, or the dialog's values. */
interface DeviceSettings {
  host: unknown;
  port: unknown;
  protocol: unknown;
  tls: unknown;
  timeout: unknown;
  conflictRetry: unknown;
  /** auto (the default: by the device's firmware), multipart or octet-stream. */
  uploadEncoding?: unknown;
  username: unknown;
  password: unknown;
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** `${NAME}` (or the older `$(NAME)`) left as it was typed: Node-RED substitutes a variable only when it is set. */
const UNSET_VARIABLE = /^\s*\$(?:\{(\S+)\}|\((\S+)\))\s*$/;

/**
 * A host or port still holding `${NAME}` after Node-RED's substitution: the
 * variable is not set where Node-RED runs. Said as that, naming the
 * variable, instead of "host must be a host name, got "${NAME}"".
 */
function checkVariableSet(value: unknown, setting: 'host' | 'port', device: string): void {
  const m = typeof value === 'string' ? UNSET_VARIABLE.exec(value) : null;
  if (!m) return;
  const variable = (m[1] ?? m[2]) as string;
  throw new MediantSettingError('device', setting, t('error.envUnset', { device, setting, variable }), { owner: device, variable });
}

/**
 * Checks the settings and turns them into client options. Throws a
 * MediantSettingError naming the bad setting; nothing is sent before that.
 */
function clientOptionsOf(RED: NodeAPI, s: DeviceSettings, device: string): ClientOptions {
  const wrap = <T>(f: () => T): T => asSetting(device, f);
  checkVariableSet(s.host, 'host', device);
  checkVariableSet(s.port, 'port', device);
  const protocol: Protocol = blank(s.protocol) ? 'https' : wrap(() => checkProtocol(s.protocol));
  const opts: ClientOptions = {
    host: wrap(() => checkHost(typeof s.host === 'string' ? s.host.trim() : s.host, 'host')),
    protocol,
    username: wrap(() => checkUsername(s.username, 'username')),
    password: wrap(() => checkPassword(s.password ?? '', 'password')),
    timeout: blank(s.timeout) ? 30_000 : wrap(() => checkInteger(s.timeout, 'timeout', 1, 2 ** 31 - 1)),
    conflictRetryMs: blank(s.conflictRetry) ? 0 : wrap(() => checkInteger(s.conflictRetry, 'conflictRetry', 0, 86_400)) * 1000,
  };
  if (!blank(s.port)) opts.port = wrap(() => checkPort(typeof s.port === 'string' ? s.port.trim() : s.port, 'port'));
  // Nodes deployed before this setting have none: `auto` sends what they always sent (the raw file) to 7.0, and multipart to 7.2 and later, as the vendor documents.
  if (!blank(s.uploadEncoding)) opts.multipartUploads = wrap(() => checkUploadEncoding(s.uploadEncoding));
  if (typeof s.tls === 'string' && s.tls !== '' && s.tls !== '_ADD_') {
    if (protocol === 'https') opts.tls = tlsOptionsOf(RED, s.tls, device);
  }
  return opts;
}

function checkUploadEncoding(v: unknown): boolean | 'auto' {
  if (v === 'auto' || v === 'multipart' || v === 'octet-stream') return v === 'auto' ? 'auto' : v === 'multipart';
  throw new MediantInputError('uploadEncoding', 'auto, multipart or octet-stream', v);
}

function checkProtocol(v: unknown): Protocol {
  if (v === 'https' || v === 'http') return v;
  throw new MediantInputError('protocol', 'https or http', v);
}

function labelOf(name: unknown, host: unknown, port: unknown, protocol: unknown): string {
  if (typeof name === 'string' && name.trim() !== '') return name.trim();
  return hostPort(host, port, protocol);
}

/**
 * A client that cannot be built (a bad setting) still gives every flow node
 * the same plain error, instead of a crash at deploy: each call rejects with
 * the configuration error.
 */
function unusableClient(error: MediantError, target: string): MediantApi {
  const reject = (): Promise<never> => Promise.reject(error);
  return new Proxy({} as MediantApi, {
    get(_t, prop) {
      if (prop === 'target') return target;
      if (prop === 'close' || prop === 'destroy') return () => Promise.resolve();
      if (prop === 'redact') return (text: string) => text;
      if (prop === 'iterateAlarms' || prop === 'iterateKpi') {
        return async function* failing(): AsyncIterableIterator<never> {
          throw error;
        };
      }
      if (prop === 'then') return undefined; // not a thenable
      return reject;
    },
  });
}

/** Closes the pool, letting requests under way finish for a moment, then destroys what is left. */
async function closeClient(client: MediantApi): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
  });
  try {
    const how = await Promise.race([client.close().then(() => 'closed' as const), graceOver]);
    if (how === 'late') await client.destroy();
  } catch {
    await client.destroy().catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A value substituted from an environment variable may be anything, a
 * credential included: it is checked here without ever being shown (the
 * error names the variable), and once it passed, every text of the answer
 * shows the variable's name where the value would appear.
 */
function checkSubstituted(d: DialogValue, property: 'host' | 'port', device: string): void {
  if (d.from === undefined) return;
  if (d.value === undefined || d.value === null) checkVariableSet(d.from, property, device);
  if (blank(d.value)) return;
  try {
    if (property === 'host') checkHost(typeof d.value === 'string' ? d.value.trim() : d.value, 'host');
    else checkPort(typeof d.value === 'string' ? d.value.trim() : d.value, 'port');
  } catch {
    throw settingError(device, property, t(property === 'host' ? 'error.envNotHost' : 'error.envNotPort', { variable: d.from }));
  }
}

/**
 * The message to show for a failed test: without the operation the dialog
 * does not name (`status failed: 401 …` reads `401 …` after "Failed:"); the
 * client already cut out its credentials; the password is cut again here
 * should it ever appear.
 */
function safeMessage(err: unknown, password: string): string {
  let text = isMediantError(err) ? err.message : t('error.testFailed');
  if (isMediantError(err)) {
    const lead = `${err.operation} failed: `;
    if (text.startsWith(lead)) text = text.slice(lead.length);
  }
  if (password.length >= 3) text = text.split(password).join('***');
  return text;
}

export = function register(RED: NodeAPI): void {
  useRuntimeI18n(RED);

  registerNode(
    RED,
    'mediant-device',
    function MediantDevice(this: Node, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const self = this as DeviceNode;
      const label = labelOf(def.name, def.host, def.port, def.protocol);
      self.deviceLabel = label;
      const creds = this.credentials ?? {};
      let client: MediantApi;
      try {
        const settings: DeviceSettings = {
          host: def.host,
          port: def.port,
          protocol: def.protocol,
          tls: def.tls,
          timeout: def.timeout,
          conflictRetry: def.conflictRetry,
          uploadEncoding: def.uploadEncoding,
          username: creds.username,
          password: creds.password,
        };
        const opts = clientOptionsOf(RED, settings, label);
        client = new MediantClient(opts);
        warnIfUnverified(RED, this, opts.tls, typeof def.tls === 'string' ? def.tls : '', label);
      } catch (e) {
        const error = isMediantError(e) ? e : settingError(label, 'device', e instanceof Error ? e.message : String(e));
        this.error(error.message);
        self.problem = error;
        client = unusableClient(error, label);
      }
      self.client = client;
      rememberTarget(this.id, targetOf(def.host, def.port, def.protocol));

      self.group = typeof def.group === 'string' ? def.group.trim() : '';
      const target = targetOf(def.host, def.port, def.protocol);
      /** The claims this config node granted (key -> token), released when it closes. */
      const held = new Map<string, object>();
      self.claim = (operation: string): (() => void) => {
        const key = `${target} ${operation}`;
        if (claims.has(key)) throw new MediantBusyError(operation, t('error.busy', { operation, device: label }));
        const token = {};
        claims.set(key, token);
        held.set(key, token);
        return () => {
          held.delete(key);
          if (claims.get(key) === token) claims.delete(key);
        };
      };
      registerDevice(self);

      this.on('close', (_removed, done) => {
        deregisterDevice(self);
        for (const [key, token] of held) if (claims.get(key) === token) claims.delete(key);
        held.clear();
        forgetTarget(this.id);
        closeClient(client).then(done, done);
      });
    },
    {
      credentials: {
        username: { type: 'text' },
        password: { type: 'password' },
      },
    },
  );

  // "Test connection" in the config dialog: GET /status with the dialog's values.
  RED.httpAdmin.post(
    '/mediant-device/:id/test',
    RED.auth.needsPermission('mediant-device.write'),
    (req: HttpRequestLike, res: HttpResponseLike) => {
      let answered = false;
      const answer = (body: Record<string, unknown>): void => {
        if (answered) return;
        answered = true;
        try {
          res.json(body);
        } catch {
          // the connection to the editor is gone: nothing more to tell it
        }
      };
      let client: MediantApi | undefined;
      let host: DialogValue = { value: undefined };
      let port: DialogValue = { value: undefined };
      let passwordText = '';
      const test = async (): Promise<Record<string, unknown>> => {
        const body = req.body ?? {};
        const id = req.params.id ?? '';
        const deployed = (RED.nodes.getNode(id) as Node | null) ?? null;
        host = envSubstituted(RED, body.host, deployed);
        port = envSubstituted(RED, body.port, deployed);
        let password = body.password;
        if (password === UNCHANGED_PASSWORD || password === undefined) {
          password = RED.nodes.getCredentials(id)?.password;
          if (password === undefined) return { ok: false, error: t('error.noStoredPassword') };
          // The stored password goes only where the deployed node sends it.
          if (deployedTarget(id) !== targetOf(host.value, port.value, body.protocol)) return { ok: false, error: t('error.retypeForNewTarget') };
        }
        passwordText = typeof password === 'string' ? password : '';
        const label = labelOf(body.name, host.value, port.value, body.protocol);
        checkSubstituted(host, 'host', label);
        checkSubstituted(port, 'port', label);
        const opts = clientOptionsOf(
          RED,
          {
            host: host.value,
            port: port.value,
            protocol: body.protocol,
            tls: body.tls,
            timeout: body.timeout,
            conflictRetry: 0,
            username: body.username,
            password,
          },
          label,
        );
        opts.timeout = Math.min(opts.timeout ?? 30_000, TEST_TIMEOUT_CAP_MS);
        opts.connections = 1;
        const testClient = new MediantClient(opts);
        client = testClient;
        const r = await testClient.getStatus();
        // Whatever the device answered, only short texts reach the dialog.
        const s: Record<string, unknown> = r.body !== null && typeof r.body === 'object' ? r.body : {};
        const redact = (text: string): string => testClient.redact(text);
        // What the account may do (read only / actions / security), found out without changing anything on the device.
        const access = await testClient.getAccess().then(
          (a) => a.body,
          () => undefined,
        );
        return {
          ok: true,
          productType: shownField(s.productType, redact),
          versionID: shownField(s.versionID, redact),
          operationalState: shownField(s.operationalState, redact),
          highAvailability: shownField(s.highAvailability, redact),
          ...(access ? { access: access.level, accessComplete: access.complete } : {}),
        };
      };
      test()
        .catch((err: unknown) => ({ ok: false, error: safeMessage(err, passwordText) }))
        .then((result) => {
          if (typeof result.error === 'string') result.error = hideSubstituted(result.error, host, port);
          answer(result);
        })
        .catch(() => answer({ ok: false, error: t('error.testFailed') }))
        .finally(() => {
          if (client) void closeClient(client);
        })
        .catch(() => undefined);
    },
  );
};

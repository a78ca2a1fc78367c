/**
 * The TLS options of a core `tls-config` node (05-tls.js): its CA, client
 * certificate and key, passphrase, SNI name, and verify on/off. Shared by the
 * config nodes that connect somewhere (a device, a Redis server).
 */
import { MediantInputError, MediantSettingError } from '../../client/errors';
import type { TlsOptions } from '../../client/types';
import { t } from './i18n';
import type { Node, NodeAPI } from './red';

/** A core tls-config node as it looks at runtime. */
interface TlsConfigNode {
  valid?: boolean;
  name?: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  verifyservercert?: boolean;
  credentials?: { passphrase?: string };
}

/**
 * The error of a device's (or Redis server's) setting that cannot work:
 * `device sbc has a bad setting: host must be …`, naming the setting for
 * the status of every node using it.
 */
export function settingError(owner: string, setting: string, reason: string): MediantSettingError {
  return new MediantSettingError('device', setting, t('error.badConfig', { device: owner, reason }), { owner });
}

/** `f()`, with a refused value turned into the owner's setting error (the client's checks name the setting). */
export function asSetting<T>(owner: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof MediantInputError ? settingError(owner, e.property, e.message) : e;
  }
}

/** Throws a MediantSettingError naming `owner` when the tls-config node is missing or invalid. */
export function tlsOptionsOf(RED: NodeAPI, id: string, owner: string): TlsOptions {
  const found = RED.nodes.getNode(id) as TlsConfigNode | null;
  if (!found || typeof found !== 'object') throw settingError(owner, 'tls', t('error.tlsMissing'));
  if (found.valid === false) throw settingError(owner, 'tls', t('error.tlsInvalid', { tls: found.name || id }));
  const tls: TlsOptions = {};
  if (found.ca) tls.ca = found.ca;
  if (found.cert) tls.cert = found.cert;
  if (found.key) tls.key = found.key;
  if (found.credentials?.passphrase) tls.passphrase = found.credentials.passphrase;
  if (found.servername) tls.servername = found.servername;
  // As core nodes do: only an explicit "verify off" turns verification off.
  tls.rejectUnauthorized = found.verifyservercert !== false;
  return tls;
}

/**
 * Certificate verification turned off in the tls-config node: the
 * connection works, and so would one to anyone on the path, who then reads
 * the password. Said once, in the log, when the node using it starts.
 */
export function warnIfUnverified(RED: NodeAPI, node: Pick<Node, 'warn'>, tls: TlsOptions | undefined, tlsId: string, owner: string): void {
  if (!tls || tls.rejectUnauthorized !== false) return;
  const found = RED.nodes.getNode(tlsId) as TlsConfigNode | null;
  node.warn(t('log.verifyOff', { device: owner, tls: found?.name || tlsId }));
}

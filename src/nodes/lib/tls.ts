/**
 * The TLS options of a core `tls-config` node (05-tls.js): its CA, client
 * certificate and key, passphrase, SNI name, and verify on/off. Shared by the
 * config nodes that connect somewhere (a device, a Redis server).
 */
import { MediantError } from '../../client/errors';
import type { TlsOptions } from '../../client/types';
import { t } from './i18n';
import type { NodeAPI } from './red';

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

function configError(device: string, reason: string): MediantError {
  return new MediantError('EINPUT', 'device', t('error.badConfig', { device, reason }));
}

/** Throws a MediantError naming `owner` when the tls-config node is missing or invalid. */
export function tlsOptionsOf(RED: NodeAPI, id: string, owner: string): TlsOptions {
  const found = RED.nodes.getNode(id) as TlsConfigNode | null;
  if (!found || typeof found !== 'object') throw configError(owner, t('error.tlsMissing'));
  if (found.valid === false) throw configError(owner, t('error.tlsInvalid', { tls: found.name || id }));
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

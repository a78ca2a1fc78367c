/**
 * The one status helper of the package. Every node shows what it is doing in
 * a few words: blue while a call runs, yellow while waiting (restart, backoff),
 * green with a short result and the time, red with a short reason. The text is
 * built from our own words, a status code and an error's short reason: never a
 * body, never a credential.
 */
import { MediantInputError, MediantNetworkError, MediantSettingError, isMediantError } from '../../client/errors';
import { t } from './i18n';
import type { Node } from './red';

export type Phase = 'busy' | 'waiting' | 'ok' | 'error' | 'idle';

const LOOK: Record<Phase, { fill: 'blue' | 'yellow' | 'green' | 'red' | 'grey'; shape: 'dot' | 'ring' }> = {
  busy: { fill: 'blue', shape: 'dot' },
  waiting: { fill: 'yellow', shape: 'ring' },
  ok: { fill: 'green', shape: 'dot' },
  error: { fill: 'red', shape: 'ring' },
  idle: { fill: 'grey', shape: 'ring' },
};

/** HH:MM:SS in local time: enough to tell "just now" from "an hour ago". */
export function clock(d = new Date()): string {
  // From the fields: toTimeString() builds a whole zone-named string first.
  const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function setStatus(node: Pick<Node, 'status'>, phase: Phase, text: string, withTime = phase === 'ok' || phase === 'error'): void {
  const short = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  node.status({ ...LOOK[phase], text: withTime ? `${short} · ${clock()}` : short });
}

export function clearStatus(node: Pick<Node, 'status'>): void {
  node.status({});
}

/**
 * A short reason for the red status: the HTTP status where the device
 * answered (`409 Conflict`); for a refused value, what was refused
 * (`bad msg.gracefulTimeout`, `MEDIANT_HOST not set`); for a network
 * failure, which one (`unreachable`, `connection dropped`, `wrong protocol:
 * port serves HTTPS`); else the kind of failure, from the catalog's
 * `runtime.reason` section (`timeout`, `TLS error`, ...).
 */
export function shortReason(err: unknown): string {
  if (isMediantError(err)) {
    if (err.code === 'EHTTP') return `${err.statusCode} ${(err as { statusText?: string }).statusText ?? ''}`.trim();
    if (err instanceof MediantSettingError) {
      if (err.variable !== undefined) return t('reason.envUnset', { variable: err.variable });
      return err.owner !== undefined ? t('reason.badDeviceSetting', { setting: err.setting, device: err.owner }) : t('reason.badSetting', { setting: err.setting });
    }
    if (err instanceof MediantInputError) return t('reason.badProperty', { property: err.property });
    if (err instanceof MediantNetworkError && err.failure !== 'unreachable') return t(`reason.network.${err.failure}`);
    return t(`reason.${err.code}`);
  }
  return t('reason.failed');
}

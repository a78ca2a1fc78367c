/**
 * What the client's account may do on the device, found out without
 * changing anything on it:
 *
 * 1. GET /status — any user who may use the REST API (Monitor on 7.4;
 *    Security Administrator on 7.0) reads it: the account can read.
 * 2. GET /actions — the actions directory needs Administrator on 7.4 (its
 *    listing changes nothing): 200 means the account may act (reset, save,
 *    files, license reads), 403 read only.
 * 3. POST /actions/authToken with an empty body — only a Security
 *    Administrator may ask for a token, and an empty body names neither the
 *    user nor the level, so no token can come of it: 403 (or 405, which the
 *    vendor lists for denials too) means not a Security Administrator, 400
 *    (the body refused after the level was granted) means one. A license
 *    write, the only other Security Administrator operation, could not be
 *    tried without the risk of a reset. On firmware before 7.4 (no tokens:
 *    404) the REST API takes Security Administrator users only, which this
 *    account then is, since it read /status and /actions.
 *
 * Anything else (a timeout, 5xx, a 200 to the empty body) leaves that step
 * unknown and the level at what was proven.
 */
import { MediantHttpError } from '../errors';
import { checkSignal, type Transport } from '../transport';
import { versionAtLeast } from '../version';
import type { AccountAccess, ApiResponse, PrivilegeLevel } from '../types';

export function getAccess(t: Transport, signal?: AbortSignal): Promise<ApiResponse<AccountAccess>> {
  const operation = 'check access';
  return t.guard(operation, async () => {
    const sig = checkSignal(signal, operation);
    const status = await t.perform<Record<string, unknown>>({ operation, method: 'GET', path: '/api/v1/status', headers: t.h.getJson, expect: 'json', empty: 'object', signal: sig });
    t.noteStatus(status.body);
    const refused = (e: unknown, ...codes: number[]): boolean => e instanceof MediantHttpError && codes.includes(e.statusCode);
    let level: PrivilegeLevel = 'monitor';
    let complete = true;
    try {
      await t.perform({ operation, method: 'GET', path: '/api/v1/actions', headers: t.h.getJson, expect: 'json', empty: 'object', signal: sig });
      level = 'admin';
    } catch (e) {
      if (!refused(e, 403, 405)) complete = false;
    }
    if (level === 'admin') {
      // per-resource levels came with 7.4; a version that cannot be read is taken as 7.4 (nothing is claimed without a 400)
      const perResource = versionAtLeast(status.body.versionID, '7.4') ?? true;
      try {
        await t.perform({ operation, method: 'POST', path: '/api/v1/actions/authToken', headers: t.h.sendJson, body: '{}', expect: 'json', empty: 'object', signal: sig });
        complete = false; // a 200 to an empty body: not what the vendor documents; nothing is concluded
      } catch (e) {
        if (refused(e, 400)) level = 'securityAdmin';
        else if (!perResource && refused(e, 404, 405)) level = 'securityAdmin';
        else if (!refused(e, 403, 405)) complete = false;
      }
    }
    return { statusCode: status.statusCode, headers: status.headers, body: { level, complete } };
  });
}

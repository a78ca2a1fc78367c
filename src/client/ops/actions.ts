/** POST /actions/reset and /actions/saveConfiguration (vendor document section 5). */
import { redactTexts } from '../redact';
import type { Transport } from '../transport';
import { checkResetOptions } from '../validate';
import type { ApiResponse, DescriptionBody, ResetOptions } from '../types';

export function reset(t: Transport, opts?: ResetOptions, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
  const operation = 'reset';
  return t.guard(operation, async () => {
    const body = JSON.stringify(checkResetOptions(opts, operation));
    const res = await t.perform<DescriptionBody>({ operation, method: 'POST', path: '/api/v1/actions/reset', headers: t.h.sendJson, body, expect: 'json', empty: 'object', signal });
    t.forgetFirmware();
    return redactTexts(res, (x) => t.redact(x));
  });
}

export function saveConfiguration(t: Transport, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
  const operation = 'save configuration';
  return t.guard(operation, async () =>
    redactTexts(await t.perform<DescriptionBody>({ operation, method: 'POST', path: '/api/v1/actions/saveConfiguration', headers: t.h.getJson, expect: 'json', empty: 'object', signal }), (x) => t.redact(x)),
  );
}

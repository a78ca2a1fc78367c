/** GET and PUT /license (vendor document section 10): a key as JSON, or a license file. */
import { MediantInputError } from '../errors';
import { prepareUpload } from '../body';
import { redactTexts } from '../redact';
import { checkUploadOptions, type Transport } from '../transport';
import { checkInteger } from '../validate';
import type { ApiResponse, DescriptionBody, LicenseInfo, LicenseKey, UploadBody, UploadOptions } from '../types';

export function getLicense(t: Transport, signal?: AbortSignal): Promise<ApiResponse<LicenseInfo>> {
  return t.getJson('read license', '/api/v1/license', signal);
}

export function putLicense(t: Transport, key: LicenseKey, signal?: AbortSignal): Promise<ApiResponse<DescriptionBody>> {
  const operation = 'put license';
  return t.guard(operation, async () => {
    const body = JSON.stringify(checkLicenseKey(key, operation));
    return redactTexts(await t.perform<DescriptionBody>({ operation, method: 'PUT', path: '/api/v1/license', headers: t.h.sendJson, body, expect: 'json', empty: 'object', signal }), (x) => t.redact(x));
  });
}

export function putLicenseFile(t: Transport, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
  const operation = 'put license';
  return t.guard(operation, async () => {
    const o = checkUploadOptions(opts, operation);
    const upload = await prepareUpload(body, { multipart: o.multipart ?? false, defaultFilename: 'license.txt', operation, property: 'body', signal: o.signal });
    if (o.multipart === undefined) upload.multipart = await t.multipartFor(operation, o.signal);
    const res = await t.perform<DescriptionBody>(
      { operation, method: 'PUT', path: '/api/v1/license', headers: t.h.getJson, expect: 'json', empty: 'object', signal: o.signal },
      upload,
      o.onProgress,
    );
    return redactTexts(res, (x) => t.redact(x));
  });
}

function checkLicenseKey(key: unknown, operation: string): LicenseKey {
  if (!key || typeof key !== 'object' || Array.isArray(key) || Buffer.isBuffer(key)) {
    throw new MediantInputError('license', 'an object { licenseVersion, serialNumber?, key }', key, operation);
  }
  const k = key as Record<string, unknown>;
  const licenseVersion = checkInteger(k.licenseVersion, 'licenseVersion', 1, Number.MAX_SAFE_INTEGER, operation);
  if (typeof k.key !== 'string' || k.key.trim() === '' || k.key.length > 65536) {
    throw new MediantInputError('key', 'a non-empty license key string', k.key, operation);
  }
  const out: LicenseKey = { licenseVersion, key: k.key };
  if (k.serialNumber !== undefined && k.serialNumber !== null && k.serialNumber !== '') {
    if (typeof k.serialNumber !== 'string' || k.serialNumber.length > 64) {
      throw new MediantInputError('serialNumber', 'a serial number string', k.serialNumber, operation);
    }
    out.serialNumber = k.serialNumber;
  }
  return out;
}

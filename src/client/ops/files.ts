/**
 * Files (vendor document section 6): uploads of every file type, downloads
 * of the INI file and CLI script, and the incremental CLI script with its
 * output.
 */
import { MediantDeviceError, MediantHttpError, MediantInputError } from '../errors';
import { prepareUpload } from '../body';
import { deviceText } from '../parse';
import { redactTexts } from '../redact';
import { checkUploadOptions, type Transport } from '../transport';
import { checkDownloadFileType, checkFileType } from '../validate';
import type { ApiResponse, CliResult, DescriptionBody, DownloadFileType, FileType, UploadBody, UploadOptions } from '../types';

export function uploadFile(t: Transport, fileType: FileType, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
  const operation = typeof fileType === 'string' && fileType.length <= 40 ? `upload ${fileType}` : 'upload';
  return t.guard(operation, async () => {
    const type = checkFileType(fileType, 'fileType', operation);
    const o = checkUploadOptions(opts, operation);
    const upload = await prepareUpload(body, {
      multipart: o.multipart ?? false,
      defaultFilename: `${type.replace('/', '-')}.bin`,
      operation,
      property: 'body',
      signal: o.signal,
      ...(o.filenameProperty !== undefined ? { filenameProperty: o.filenameProperty } : {}),
    });
    if (o.multipart === undefined) upload.multipart = await t.multipartFor(operation, o.signal);
    const res = await t.perform<DescriptionBody>(
      { operation, method: 'PUT', path: `/api/v1/files/${type}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal: o.signal },
      upload,
      o.onProgress,
    );
    // a new software load may be another firmware
    if (type === 'software' || type === 'software/hitless') t.forgetFirmware();
    return redactTexts(res, (x) => t.redact(x));
  });
}

/**
 * What a download asks for after a 406. The first try lists both types
 * (ACCEPT_FILE): the device serves these files as application/octet-stream
 * (2015), and a client proven on 7.40A asks for text/plain. A device that
 * does not read a list may take one of them alone.
 */
const ACCEPT_ALONE = ['text/plain', 'application/octet-stream'];

export function downloadFile(t: Transport, fileType: DownloadFileType, signal?: AbortSignal): Promise<ApiResponse<string>> {
  const operation = typeof fileType === 'string' && fileType.length <= 40 ? `download ${fileType}` : 'download';
  return t.guard(operation, async () => {
    const type = checkDownloadFileType(fileType, 'fileType', operation);
    const accepts = [t.h.getFile, ...ACCEPT_ALONE.map((a) => t.headers(a))];
    for (let i = 0; ; i++) {
      try {
        return await t.perform<string>({ operation, method: 'GET', path: `/api/v1/files/${type}`, headers: accepts[i] as readonly string[], expect: 'text', empty: 'string', signal });
      } catch (e) {
        // 406 changes nothing on the device: ask again with the next Accept
        if (i === accepts.length - 1 || !(e instanceof MediantHttpError && e.statusCode === 406)) throw e;
      }
    }
  });
}

export function runCliScript(t: Transport, script: string, signal?: AbortSignal): Promise<ApiResponse<CliResult>> {
  const operation = 'run CLI script';
  return t.guard(operation, async () => {
    if (typeof script !== 'string' || script.trim() === '') throw new MediantInputError('script', 'a non-empty string', script, operation);
    const upload = await prepareUpload(script, { multipart: false, defaultFilename: 'cliScript-incremental.txt', operation, property: 'script', signal });
    upload.multipart = await t.multipartFor(operation, signal);
    const res = await t.perform<CliResult>(
      { operation, method: 'PUT', path: '/api/v1/files/cliScript/incremental', headers: t.h.getJson, expect: 'json', empty: 'object', signal },
      upload,
    );
    checkCliStatus(res, operation, t);
    // The device's texts about the script, as on failure: without the credentials a device may quote.
    return redactTexts(res, (x) => t.redact(x), ['description', 'output']);
  });
}

/**
 * Firmware 7.x may answer a script it refused with 200 and a `status` other
 * than "success" (two public clients read it so; the failure word is not
 * documented). Such an answer is a failed call: a MediantDeviceError with
 * the device's status, description and output (credentials cut out). No
 * status at all (7.0, 7.2) is the 2015 answer: the script ran.
 */
function checkCliStatus(res: { statusCode: number; body: CliResult }, operation: string, t: Transport): void {
  const b = res.body;
  const status: unknown = b.status;
  if (status === undefined || status === null) return;
  if (typeof status === 'string' && status.trim().toLowerCase() === 'success') return;
  const shown = deviceText(typeof status === 'string' ? status : JSON.stringify(status) ?? typeof status, (x) => t.redact(x), 40) ?? 'empty';
  const redact = (x: string): string => t.redact(x);
  const description = deviceText(b.description, redact) ?? deviceText(b.errorDescription, redact);
  const output = typeof b.output === 'string' ? t.redact(b.output) : undefined;
  throw new MediantDeviceError(operation, res.statusCode, shown, description, output, deviceText(b.output, redact, 200));
}

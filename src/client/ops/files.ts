/**
 * Files (vendor document section 6): uploads of every file type, downloads
 * of the INI file and CLI script, and the incremental CLI script with its
 * output.
 */
import { MediantInputError } from '../errors';
import { prepareUpload } from '../body';
import { checkUploadOptions, type Transport } from '../transport';
import { checkDownloadFileType, checkFileType } from '../validate';
import type { ApiResponse, CliResult, DescriptionBody, DownloadFileType, FileType, UploadBody, UploadOptions } from '../types';

export function uploadFile(t: Transport, fileType: FileType, body: UploadBody, opts?: UploadOptions): Promise<ApiResponse<DescriptionBody>> {
  const operation = typeof fileType === 'string' && fileType.length <= 40 ? `upload ${fileType}` : 'upload';
  return t.guard(operation, async () => {
    const type = checkFileType(fileType, 'fileType', operation);
    const o = checkUploadOptions(opts, operation);
    const upload = await prepareUpload(body, {
      multipart: o.multipart ?? t.multipart,
      defaultFilename: `${type.replace('/', '-')}.bin`,
      operation,
      property: 'body',
      signal: o.signal,
      ...(o.filenameProperty !== undefined ? { filenameProperty: o.filenameProperty } : {}),
    });
    return t.perform(
      { operation, method: 'PUT', path: `/api/v1/files/${type}`, headers: t.h.getJson, expect: 'json', empty: 'object', signal: o.signal },
      upload,
      o.onProgress,
    );
  });
}

export function downloadFile(t: Transport, fileType: DownloadFileType, signal?: AbortSignal): Promise<ApiResponse<string>> {
  const operation = typeof fileType === 'string' && fileType.length <= 40 ? `download ${fileType}` : 'download';
  return t.guard(operation, () => {
    const type = checkDownloadFileType(fileType, 'fileType', operation);
    return t.perform({ operation, method: 'GET', path: `/api/v1/files/${type}`, headers: t.h.getFile, expect: 'text', empty: 'string', signal });
  });
}

export function runCliScript(t: Transport, script: string, signal?: AbortSignal): Promise<ApiResponse<CliResult>> {
  const operation = 'run CLI script';
  return t.guard(operation, async () => {
    if (typeof script !== 'string' || script.trim() === '') throw new MediantInputError('script', 'a non-empty string', script, operation);
    const upload = await prepareUpload(script, { multipart: t.multipart, defaultFilename: 'cliScript-incremental.txt', operation, property: 'script', signal });
    return t.perform(
      { operation, method: 'PUT', path: '/api/v1/files/cliScript/incremental', headers: t.h.getJson, expect: 'json', empty: 'object', signal },
      upload,
    );
  });
}

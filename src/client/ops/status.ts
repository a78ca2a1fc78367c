/**
 * Navigation (the API's own tree, vendor document section 4) and GET /status
 * (section 8).
 */
import type { Transport } from '../transport';
import type { ApiResponse, DeviceStatus, NavItem } from '../types';

export function getApiRoot(t: Transport): Promise<ApiResponse<{ versions: NavItem[] }>> {
  return t.getJson('read API root', '/api');
}

export function getNavigation(t: Transport): Promise<ApiResponse<{ items: NavItem[] }>> {
  return t.getJson('read API navigation', '/api/v1');
}

export function getActions(t: Transport): Promise<ApiResponse<{ actions: NavItem[] }>> {
  return t.getJson('read actions list', '/api/v1/actions');
}

export function getFiles(t: Transport): Promise<ApiResponse<{ files: NavItem[] }>> {
  return t.getJson('read files list', '/api/v1/files');
}

export function getAlarmsRoot(t: Transport): Promise<ApiResponse<{ alarms: NavItem[] }>> {
  return t.getJson('read alarms list', '/api/v1/alarms');
}

export async function getStatus(t: Transport, signal?: AbortSignal): Promise<ApiResponse<DeviceStatus>> {
  const res = await t.getJson<DeviceStatus>('status', '/api/v1/status', signal);
  // the firmware it names decides how uploads are encoded (multipartUploads 'auto')
  t.noteStatus(res.body);
  return res;
}

/**
 * A yes/no field of /status (saveNeeded, resetNeeded) as a boolean, whatever
 * JSON type the device sent: true/false (7.4), "true"/"false" (7.2, any
 * letter case), 1/0; undefined for anything else or nothing.
 */
export function statusFlag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === 'yes' || s === '1') return true;
    if (s === 'false' || s === 'no' || s === '0') return false;
  }
  return undefined;
}

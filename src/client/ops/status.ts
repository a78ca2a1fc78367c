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

export function getStatus(t: Transport, signal?: AbortSignal): Promise<ApiResponse<DeviceStatus>> {
  return t.getJson('status', '/api/v1/status', signal);
}

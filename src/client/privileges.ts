/**
 * The lowest device user level each REST operation needs, as our own table:
 * a device's 403 does not say which level was missing, so the client names
 * it. Firmware 7.4 (the vendor's "User Privilege Levels and REST API Access"
 * page, ../shared/mediant-7x-notes.md §2) checks a level per resource; 7.0
 * (the 2015 document) takes Security Administrator users only, and so does
 * 7.2 as far as anything is known of it.
 *
 * Rows the vendor's table cuts off take their directory's minimum; what no
 * row covers needs Security Administrator (the strictest reading).
 */

import type { PrivilegeLevel } from './types';

export type { PrivilegeLevel };

/** The device's names of the levels. */
export const PRIVILEGE_NAMES: Readonly<Record<PrivilegeLevel, string>> = {
  monitor: 'Monitor',
  admin: 'Administrator',
  securityAdmin: 'Security Administrator',
};

const ORDER: Readonly<Record<PrivilegeLevel, number>> = { monitor: 1, admin: 2, securityAdmin: 3 };

interface Rule {
  /** A path under /api; the rule covers it and everything below it, unless `exact`. */
  path: string;
  exact?: boolean;
  /** Methods the rule is for; all when absent. */
  methods?: readonly string[];
  level: PrivilegeLevel;
}

/** First match wins. */
const RULES_7X: readonly Rule[] = [
  { path: '/api', exact: true, level: 'monitor' },
  { path: '/api/v1', exact: true, level: 'monitor' },
  { path: '/api/v1/actions/authToken', level: 'securityAdmin' },
  { path: '/api/v1/actions', level: 'admin' },
  { path: '/api/v1/alarms', level: 'monitor' },
  { path: '/api/v1/files', level: 'admin' },
  { path: '/api/v1/kpi', level: 'monitor' },
  // "only REST users with Security Administrator level can replace (PUT) the device's License Key"
  { path: '/api/v1/license', methods: ['PUT'], level: 'securityAdmin' },
  { path: '/api/v1/license', level: 'admin' },
  { path: '/api/v1/sipTestCall', level: 'monitor' },
  { path: '/api/v1/status', level: 'monitor' },
];

/** The lowest level firmware 7.4 and later take for `method` on `path` (`/api/v1/...`, a query string is ignored). */
export function privilegeFor(method: string, path: string): PrivilegeLevel {
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  for (const r of RULES_7X) {
    const hit = r.exact ? p === r.path : p === r.path || p.startsWith(`${r.path}/`);
    if (hit && (!r.methods || r.methods.includes(method))) return r.level;
  }
  return 'securityAdmin';
}

/** Whether a user of level `user` may do what `needed` allows. */
export function privilegeAllows(user: PrivilegeLevel, needed: PrivilegeLevel): boolean {
  return ORDER[user] >= ORDER[needed];
}

/** What a 403 for `method` on `path` means, in words: the level to ask for. */
export function privilegeHint(method: string, path: string): string {
  const level = privilegeFor(method, path);
  if (level === 'securityAdmin') return 'this needs a Security Administrator user';
  return `this needs a user of level ${PRIVILEGE_NAMES[level]} or higher on firmware 7.4 and later, a Security Administrator on 7.0 and 7.2`;
}

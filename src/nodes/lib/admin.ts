/**
 * What the editor's admin endpoints share (the device dialog's Test
 * connection, the KPI dialog's tree): where each deployed device sends its
 * stored credentials, the `${VAR}` values typed in a dialog (substituted
 * here, never shown), and the short texts a device's answer may give the
 * dialog. The rules they keep, in one place:
 *  - a stored password goes only to the host and port the deployed device
 *    node sends it to (`deployedTarget`);
 *  - a value substituted from an environment variable is never shown: an
 *    answer names the variable instead (`hideSubstituted`);
 *  - what the device says reaches the dialog as short, one-line text with
 *    any echo of the credentials cut out (`shownField`).
 */
import type { Node, NodeAPI } from './red';

const ENV_WHOLE = /^\$\{[^}]+\}$/;

/**
 * Where each deployed device node sends its stored credentials
 * (`protocol://host:port`), by node id.
 */
const deployedTargets = new Map<string, string>();

export function rememberTarget(id: string, target: string): void {
  deployedTargets.set(id, target);
}

export function forgetTarget(id: string): void {
  deployedTargets.delete(id);
}

/** `protocol://host:port` of the deployed device node `id`, or undefined when none is deployed. */
export function deployedTarget(id: string): string | undefined {
  return deployedTargets.get(id);
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** `host:port` as configured, the port defaulting by protocol. */
export function hostPort(host: unknown, port: unknown, protocol: unknown): string {
  const p = blank(port) ? (protocol === 'http' ? '80' : '443') : String(port).trim();
  return `${typeof host === 'string' ? host.trim() : ''}:${p}`;
}

/** `protocol://host:port`, lowercased: what two settings are compared by. */
export function targetOf(host: unknown, port: unknown, protocol: unknown): string {
  return `${protocol === 'http' ? 'http' : 'https'}://${hostPort(host, port, protocol).toLowerCase()}`;
}

/** A dialog value, and the `${NAME}` it was substituted from (never to be shown expanded). */
export interface DialogValue {
  value: unknown;
  from?: string;
}

/** `${NAME}` typed in the dialog: Node-RED substitutes it at deploy; an admin endpoint does the same here. */
export function envSubstituted(RED: NodeAPI, v: unknown, node: Node | null): DialogValue {
  if (typeof v !== 'string' || !ENV_WHOLE.test(v.trim())) return { value: v };
  return { value: RED.util.evaluateNodeProperty(v.trim(), 'env', node as Node, {}), from: v.trim() };
}

/** `text` with each substituted value replaced by the `${NAME}` it came from (whole host names and ports only). */
export function hideSubstituted(text: string, ...values: DialogValue[]): string {
  let out = text;
  for (const d of values) {
    if (d.from === undefined || d.value === undefined || d.value === null) continue;
    const value = String(d.value).trim();
    if (value === '') continue;
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const from = d.from;
    out = out.replace(new RegExp(`(?<![A-Za-z0-9.-])${escaped}(?![A-Za-z0-9-])`, 'g'), () => from);
  }
  return out;
}

/** What the device said, for a dialog or a status: short text only, on one line, without any echo of the credentials. */
export function shownField(v: unknown, redact: (s: string) => string, max = 100): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const one = redact(v.replace(/[\u0000-\u001f\u007f]+/g, ' ')).trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

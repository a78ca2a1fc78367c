/**
 * Runtime texts (status, node-level errors) come from one message catalog,
 * `nodes/locales/<lang>/mediant-device.json`, under its `runtime` section.
 * Node-RED registers that catalog for the `mediant-device` node set; every
 * node of the package looks its runtime texts up there with the full
 * `module/set:key` name. Where no runtime catalog answers (the test helper's
 * `RED._` returns the key itself), the bundled en-US catalog is read
 * directly, so users and tests see the same words.
 */
import type { NodeAPI } from './red';

const NAMESPACE = 'node-red-contrib-mediant/mediant-device';
type Subs = Record<string, string | number>;

let runtimeTranslate: ((key: string, subs?: Subs) => string) | undefined;
let fallback: Record<string, unknown> | undefined;

export function useRuntimeI18n(RED: Pick<NodeAPI, '_'>): void {
  if (!runtimeTranslate) runtimeTranslate = (key, subs) => RED._(key, subs);
}

function lookup(key: string): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  fallback ??= (require('../locales/en-US/mediant-device.json') as Record<string, unknown>);
  let cur: unknown = fallback;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string' ? cur : undefined;
}

/** `t('status.requesting')` -> "requesting…"; `__name__` placeholders as in Node-RED catalogs. */
export function t(key: string, subs?: Subs): string {
  const full = `${NAMESPACE}:runtime.${key}`;
  const viaRuntime = runtimeTranslate?.(full, subs);
  if (viaRuntime && viaRuntime !== full) return viaRuntime;
  const text = lookup(`runtime.${key}`) ?? key;
  return subs ? text.replace(/__(\w+)__/g, (m, k: string) => (k in subs ? String(subs[k]) : m)) : text;
}

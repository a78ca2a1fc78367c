/**
 * Runtime texts (status, node-level errors) come from the message catalogs
 * `nodes/locales/<lang>/<node-type>.json`, under their `runtime` section:
 * texts every node shares live in `mediant-device.json`, a node's own texts in
 * its own file (`t('status.restarting', subs, 'mediant-reset')`). Node-RED
 * registers each catalog for its node set; we look keys up with the full
 * `module/set:key` name, so it does not matter which node's `RED._` is used.
 * Where no runtime catalog answers (the test helper's `RED._` returns the key
 * itself), the bundled en-US catalog is read directly, so users and tests see
 * the same words.
 */
import type { NodeAPI } from './red';

const MODULE = 'node-red-contrib-mediant';
type Subs = Record<string, string | number>;

let runtimeTranslate: ((key: string, subs?: Subs) => string) | undefined;
const fallbacks = new Map<string, Record<string, unknown>>();

export function useRuntimeI18n(RED: Pick<NodeAPI, '_'>): void {
  if (!runtimeTranslate) runtimeTranslate = (key, subs) => RED._(key, subs);
}

function lookup(set: string, key: string): string | undefined {
  let catalog = fallbacks.get(set);
  if (!catalog) {
    try {
      catalog = require(`../locales/en-US/${set}.json`) as Record<string, unknown>;
    } catch {
      catalog = {};
    }
    fallbacks.set(set, catalog);
  }
  let cur: unknown = catalog;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string' ? cur : undefined;
}

/**
 * `t('status.requesting')` -> "requesting…", from the `runtime` section of
 * `<set>.json`; `__name__` placeholders as in Node-RED catalogs.
 */
export function t(key: string, subs?: Subs, set = 'mediant-device'): string {
  const full = `${MODULE}/${set}:runtime.${key}`;
  const viaRuntime = runtimeTranslate?.(full, subs);
  if (viaRuntime && viaRuntime !== full) return viaRuntime;
  const text = lookup(set, `runtime.${key}`) ?? key;
  return subs ? text.replace(/__(\w+)__/g, (m, k: string) => (k in subs ? String(subs[k]) : m)) : text;
}

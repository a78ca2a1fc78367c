/**
 * Node versions and migrations. Flows that users deployed and exported keep
 * the properties of the package version that wrote them; when a release adds
 * a property, its nodes must still behave as they did. So every node type
 * has a numbered list of steps: a node stored without `version` is version 0,
 * and each step from its version up to the current one fills in the
 * properties that version added, with the value that keeps the old
 * behaviour (`deviceFrom: "node"`: the configured device, as before).
 *
 * The same steps run in two places (the home-assistant nodes' way, not
 * property guessing): in the runtime, before a node's constructor reads its
 * properties (`registerNode`), and in the editor, where they are published
 * through `registerType`'s settings (`RED.settings.<typeInCamelCase>Migrations`,
 * read by resources/mediant-editor.js): a new node gets the current version,
 * an old one is brought up to it when it is edited. A step is data (the
 * properties it adds and their values), so both places apply it the same way.
 *
 * Adding a property in a release: append a step to its type with the next
 * version and the value that keeps the old behaviour, give the editor's
 * defaults the value new nodes should have, and add a fixture of the
 * previous version to test/nodes/fixtures/migrations/.
 */
import { t } from './i18n';
import type { Node, NodeAPI, NodeDef } from './red';

export interface MigrationStep {
  /** The version a node has after this step. */
  version: number;
  /** The properties this version added, with the values that keep the previous behaviour. */
  defaults: Record<string, unknown>;
}

/** Version 1 (fleets, issue 11): each flow node chooses its device; a device may belong to a group. */
const FLOW_NODE_V1: MigrationStep = { version: 1, defaults: { deviceFrom: 'node' } };
const POLLING_NODE_V1: MigrationStep = { version: 1, defaults: { deviceFrom: 'node', deviceGroup: '' } };

export const MIGRATIONS: Readonly<Record<string, readonly MigrationStep[]>> = {
  'mediant-device': [{ version: 1, defaults: { group: '' } }],
  'mediant-cluster': [{ version: 1, defaults: {} }],
  'mediant-status': [FLOW_NODE_V1],
  'mediant-reset': [FLOW_NODE_V1],
  'mediant-save-config': [FLOW_NODE_V1],
  'mediant-upload-file': [FLOW_NODE_V1],
  'mediant-download-file': [FLOW_NODE_V1],
  'mediant-run-cli': [FLOW_NODE_V1],
  'mediant-license': [FLOW_NODE_V1],
  'mediant-request': [FLOW_NODE_V1],
  'mediant-alarms-poll': [POLLING_NODE_V1],
  'mediant-pm-read': [POLLING_NODE_V1],
  'mediant-kpi': [POLLING_NODE_V1],
  'mediant-test-call': [FLOW_NODE_V1],
};

/** The version a node of this type is written with today. */
export function currentVersion(type: string): number {
  const steps = MIGRATIONS[type] ?? [];
  return steps.reduce((v, s) => Math.max(v, s.version), 0);
}

/** The stored `version`: a whole number (or its text, as an editor field keeps it); anything else is 0. */
export function storedVersion(def: Record<string, unknown>): number {
  const v = def.version;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : 0;
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * The node's properties at the current version: a copy, with each step above
 * the stored version applied in order (a property already there is kept).
 * A node written by a newer release than this one is left as it is.
 */
export function migrate<D extends Record<string, unknown>>(type: string, def: D): D & { version: number } {
  const from = storedVersion(def);
  // A copy with every property, Node-RED's own non-enumerable ones too (`_flow`, `_module`, `_alias`):
  // the stored flow is left as it is (a deploy compares it with the editor's).
  const out = Object.create(Object.getPrototypeOf(def) as object | null, Object.getOwnPropertyDescriptors(def)) as Record<string, unknown>;
  for (const step of MIGRATIONS[type] ?? []) {
    if (step.version <= from) continue;
    for (const [k, v] of Object.entries(step.defaults)) if (out[k] === undefined) setOwn(out, k, v);
  }
  setOwn(out, 'version', Math.max(from, currentVersion(type)));
  return out as D & { version: number };
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** `mediant-alarms-poll` -> `mediantAlarmsPoll`, as Node-RED names a type's settings. */
export function settingsPrefix(type: string): string {
  return type.replace(/[^a-zA-Z0-9]+(.)/g, (_m, c: string) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase());
}

type Constructor = (this: Node, def: NodeDef) => void;
type RegisterOptions = NonNullable<Parameters<NodeAPI['nodes']['registerType']>[2]>;

/**
 * `RED.nodes.registerType` with the type's migrations: the constructor gets
 * the node's properties at the current version, and the editor gets the
 * steps (the setting `<prefix>Migrations`).
 */
export function registerNode(RED: NodeAPI, type: string, ctor: Constructor, opts: RegisterOptions = {}): void {
  const steps = MIGRATIONS[type] ?? [];
  RED.nodes.registerType(
    type,
    function (this: Node, def: NodeDef) {
      const stored = storedVersion(def);
      const current = currentVersion(type);
      ctor.call(this, migrate(type, def));
      if (stored > current) this.warn(t('log.newerVersion', { version: stored, current }));
    },
    { ...opts, settings: { ...(opts.settings ?? {}), [`${settingsPrefix(type)}Migrations`]: { value: steps, exportable: true } } },
  );
}

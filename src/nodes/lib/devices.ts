/**
 * Which device a flow node acts on. Every running `mediant-device` config
 * node registers here while it runs (and deregisters when it closes), as the
 * core mqtt broker node keeps the nodes that use it: so a message can name a
 * device (`msg.device`, among the configured devices only, by label), and a
 * node over a fleet (`deviceFrom` `all` or `group`) learns of devices added
 * or removed at a deploy without being restarted itself.
 *
 * A message only ever NAMES a device: a host, a port or credentials in a
 * message are never used. An unknown or ambiguous name is refused before any
 * request, with an error that names it.
 */
import { MediantError, MediantInputError, describeValue } from '../../client/errors';
import type { MediantApi } from '../../client/types';
import { t } from './i18n';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red';

/** The runtime face of a `mediant-device` config node, as flow nodes see it. */
export interface DeviceNode extends Node {
  client: MediantApi;
  /** The config node's name, or `host:port`: what goes into `msg.device`, and the name a message picks it by. */
  deviceLabel: string;
  /** Its fleet group (free text, "" for none). */
  group: string;
  /** Why its settings cannot work (a bad host, an environment variable not set): every call is refused with it. */
  problem?: MediantError;
  /**
   * Claim an exclusive operation on this device (e.g. `reset`); throws a
   * MediantBusyError while another claim of the same name is held for the
   * same device (host and port), through whichever config node. Call the
   * returned function to release it.
   */
  claim(operation: string): () => void;
}

export type DeviceFrom = 'node' | 'msg' | 'all' | 'group';
const SINGLE: readonly DeviceFrom[] = ['node', 'msg'];
const ALL: readonly DeviceFrom[] = ['node', 'msg', 'all', 'group'];

/** Told when a device starts or stops (a deploy, a restart). */
export interface DeviceListener {
  added(device: DeviceNode): void;
  removed(device: DeviceNode): void;
}

const running = new Set<DeviceNode>();
const listeners = new Set<DeviceListener>();

/** A config node that has started: it can be named by messages and joins the fleets it belongs to. */
export function registerDevice(device: DeviceNode): void {
  if (running.has(device)) return;
  running.add(device);
  for (const l of [...listeners]) {
    try {
      l.added(device);
    } catch {
      // one listener's failure is its own: the others still hear of the device
    }
  }
}

/** A config node that stops (redeploy, removal): it can no longer be named, and leaves its fleets. */
export function deregisterDevice(device: DeviceNode): void {
  if (!running.delete(device)) return;
  for (const l of [...listeners]) {
    try {
      l.removed(device);
    } catch {
      // as above
    }
  }
}

/** Hear of devices as they start and stop; returns the function that stops listening. */
export function listenForDevices(listener: DeviceListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The devices running now. */
export function runningDevices(): DeviceNode[] {
  return [...running];
}

/** The devices whose label is `name` (exact, after trimming the name). */
export function devicesNamed(name: string): DeviceNode[] {
  const want = name.trim();
  const found: DeviceNode[] = [];
  for (const d of running) if (d.deviceLabel === want) found.push(d);
  return found;
}

/** The device `msg.device` names: exactly one running device has that label, else a refusal naming it. */
export function deviceNamed(value: unknown, operation = 'input'): DeviceNode {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MediantInputError('msg.device', t('error.deviceName'), value, operation);
  }
  const found = devicesNamed(value);
  if (found.length === 1) return found[0] as DeviceNode;
  if (found.length === 0) throw MediantInputError.saying('msg.device', t('error.deviceUnknown', { name: describeValue(value) }), operation);
  throw MediantInputError.saying('msg.device', t('error.deviceAmbiguous', { name: describeValue(value), count: found.length }), operation);
}

/**
 * How a node chooses its device(s): `deviceFrom` and the configured device,
 * read once when the node starts. `pick(msg)` gives the device a message acts
 * on; `members()` the devices a fleet node watches now.
 */
export interface DeviceChoice {
  readonly from: DeviceFrom;
  /** The configured `device` (for `msg`: the fallback when a message names none). */
  readonly configured: DeviceNode | undefined;
  /** For `group`: the group name the devices must have. */
  readonly group: string;
  /** Set when the node's settings cannot work (no device, unknown deviceFrom): every message is refused with it. */
  readonly problem: MediantError | undefined;
  /** Whether this is a fleet (all, group). */
  readonly fleet: boolean;
  /**
   * The device a message acts on, checked before any request: for `node`,
   * the configured one; for `msg`, the device `msg.device` names, else the
   * configured one; for a fleet, the member `msg.device` names (undefined
   * when the message names none: the whole fleet).
   */
  pick(msg: NodeMessage): DeviceNode | undefined;
  /** Whether a running device belongs to a fleet (all, group). */
  includes(device: DeviceNode): boolean;
  /** The devices of the fleet now; for `node` and `msg`, the configured device if any. */
  members(): DeviceNode[];
  /** A copy of a message, as Node-RED makes one (for one message out per device of a fleet). */
  clone(msg: NodeMessage): NodeMessage;
}

function configuredDevice(RED: NodeAPI, def: NodeDef): DeviceNode | undefined {
  const id = typeof def.device === 'string' ? def.device : '';
  const found = id ? RED.nodes.getNode(id) : null;
  return found && typeof found === 'object' && 'client' in found ? (found as DeviceNode) : undefined;
}

/**
 * The device choice of a flow node. `fleet`: whether the node can watch many
 * devices (the polling nodes); other nodes take `node` or `msg` only.
 */
export function deviceOf(RED: NodeAPI, def: NodeDef, { fleet = false }: { fleet?: boolean } = {}): DeviceChoice {
  const configured = configuredDevice(RED, def);
  const allowed = fleet ? ALL : SINGLE;
  const raw = def.deviceFrom === undefined || def.deviceFrom === '' ? 'node' : def.deviceFrom;
  let problem: MediantError | undefined;
  let from: DeviceFrom = 'node';
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) from = raw as DeviceFrom;
  else problem = new MediantInputError('property deviceFrom', `one of ${allowed.join(', ')}`, raw);
  const group = typeof def.deviceGroup === 'string' ? def.deviceGroup.trim() : '';
  if (!problem && from === 'node' && !configured) problem = new MediantError('EINPUT', 'input', t('error.noDevice'));
  if (!problem && from === 'group' && group === '') problem = new MediantInputError('property deviceGroup', t('error.groupName'), def.deviceGroup);
  const isFleet = from === 'all' || from === 'group';
  const includes = (d: DeviceNode): boolean => (from === 'all' ? true : from === 'group' ? d.group === group : d === configured);

  return {
    from,
    configured,
    group,
    problem,
    fleet: isFleet,
    includes,
    clone: (msg) => RED.util.cloneMessage(msg),
    members: () => (isFleet ? runningDevices().filter(includes) : configured ? [configured] : []),
    pick(msg: NodeMessage): DeviceNode | undefined {
      if (problem) throw problem;
      if (from === 'node') return configured;
      const named = msg.device;
      if (from === 'msg') {
        if (named === undefined) {
          if (!configured) throw new MediantInputError('msg.device', t('error.deviceName'), named);
          return configured;
        }
        return deviceNamed(named);
      }
      if (named === undefined) return undefined;
      const d = deviceNamed(named);
      if (!includes(d)) throw MediantInputError.saying('msg.device', t('error.deviceNotInGroup', { name: describeValue(named), group }));
      return d;
    },
  };
}

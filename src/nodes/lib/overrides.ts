/**
 * The one helper for msg overrides: a value comes from `msg.<prop>` when the
 * message carries it, else from the node's property. Either way it is checked
 * before any request is sent, and a bad value is refused with an error that
 * names the property and what it expects:
 * `msg.gracefulTimeout must be an integer >= 0, got "abc"`.
 */
import { MediantInputError } from '../../client/errors';
import { t } from './i18n';
import type { Node, NodeMessage } from './red';
import { setStatus } from './status';

export interface Check<T> {
  /** What a good value is, in words: "an integer >= 0". */
  expected: string;
  /** The value, or undefined when it is not acceptable. */
  parse(v: unknown): T | undefined;
}

/** The shortest a node's own timer may wait: one request per second and device at most. */
export const MIN_TIMER_SECONDS = 1;
/** The longest: what setTimeout can wait (2^31-1 ms, about 24.8 days), as the core inject node. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function integerOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

export const checks = {
  boolean: {
    expected: 'true or false',
    parse: (v: unknown) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined),
  } as Check<boolean>,

  integer(min: number, max = Number.MAX_SAFE_INTEGER): Check<number> {
    const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    return {
      expected,
      parse: (v) => {
        const n = integerOf(v);
        return n !== undefined && n >= min && n <= max ? n : undefined;
      },
    };
  },

  oneOf<T extends string>(values: readonly T[]): Check<T> {
    return {
      expected: `one of ${values.join(', ')}`,
      parse: (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : undefined),
    };
  },

  /**
   * A timer property (a poll interval) in seconds: 0 turns the timer off,
   * anything else is from MIN_TIMER_SECONDS to MAX_TIMER_SECONDS. Whole
   * seconds only, unless `decimals` (then up to 3 decimal places). A number
   * or its text; nothing else (`"abc"`, `"-5"`, `"0.5"`, `1e3`, `NaN`).
   */
  timerSeconds({ decimals = false }: { decimals?: boolean } = {}): Check<number> {
    const what = decimals ? 'a number of seconds' : 'a whole number of seconds';
    const text = decimals ? /^\s*\d{1,10}(?:\.\d{1,3})?\s*$/ : /^\s*\d{1,10}\s*$/;
    return {
      expected: `0 (no timer) or ${what} from ${MIN_TIMER_SECONDS} to ${MAX_TIMER_SECONDS}`,
      parse: (v) => {
        let n: number;
        if (typeof v === 'number') n = v;
        else if (typeof v === 'string' && text.test(v)) n = Number(v);
        else return undefined;
        if (!Number.isFinite(n) || (!decimals && !Number.isInteger(n))) return undefined;
        return n === 0 || (n >= MIN_TIMER_SECONDS && n <= MAX_TIMER_SECONDS) ? n : undefined;
      },
    };
  },

  nonEmptyString: {
    expected: 'a non-empty string',
    parse: (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined),
  } as Check<string>,
};

/**
 * `msg[prop]` when present (not undefined), else the node's configured value;
 * checked either way. A bad configured value names the node property, a bad
 * msg value names `msg.<prop>`.
 */
export function fromMsgOrConfig<T>(msg: NodeMessage, prop: string, configured: unknown, check: Check<T>): T {
  const fromMsg = msg[prop] !== undefined;
  const raw = fromMsg ? msg[prop] : configured;
  const value = check.parse(raw);
  if (value === undefined) throw new MediantInputError(fromMsg ? `msg.${prop}` : `property ${prop}`, check.expected, raw);
  return value;
}

function absent(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * The properties of the firmware 7.x nodes (mediant-kpi, mediant-test-call),
 * as the node contract's "Additions" have them and the core http request node
 * does with `msg.url`: the node's setting wins; `msg.<prop>` fills only what
 * the node leaves blank; `fallback` where neither gives a value (undefined
 * when there is none: the caller decides whether that is an error). Checked
 * either way, a bad value named `property <prop>` or `msg.<prop>`. A msg value
 * that a node setting overrules is not used, not checked, and reported once
 * through `ignored` (a warning in the log, as the core nodes give).
 */
export function fromConfigOrMsg<T>(
  msg: NodeMessage,
  prop: string,
  configured: unknown,
  check: Check<T>,
  opts: { fallback?: T; ignored?: (prop: string) => void } = {},
): T | undefined {
  if (!absent(configured)) {
    if (!absent(msg[prop])) opts.ignored?.(prop);
    const value = check.parse(configured);
    if (value === undefined) throw new MediantInputError(`property ${prop}`, check.expected, configured);
    return value;
  }
  if (absent(msg[prop])) return opts.fallback;
  const value = check.parse(msg[prop]);
  if (value === undefined) throw new MediantInputError(`msg.${prop}`, check.expected, msg[prop]);
  return value;
}

/**
 * A node property with no msg override: its default when absent or blank,
 * else checked like an override, naming `property <prop>` when refused.
 */
export function fromConfig<T>(def: Record<string, unknown>, prop: string, fallback: T, check: Check<T>): T {
  const raw = def[prop];
  if (raw === undefined || raw === '') return fallback;
  const value = check.parse(raw);
  if (value === undefined) throw new MediantInputError(`property ${prop}`, check.expected, raw);
  return value;
}

/**
 * A node's timer property (`pollInterval`), read once when the node starts:
 * its default when absent or blank, else checked with `check` (one of
 * `checks.timerSeconds()`). A bad value is not guessed at: the timer stays off
 * (0 is returned), the node shows a red status naming the property and logs
 * the error (`property pollInterval must be 0 (no timer) or ...`), and it
 * still answers input messages.
 */
export function timerFromConfig(node: Pick<Node, 'status' | 'error'>, def: Record<string, unknown>, prop: string, fallback: number, check: Check<number>): number {
  try {
    return fromConfig(def, prop, fallback, check);
  } catch (err) {
    setStatus(node, 'error', t('status.badTimer', { property: prop }), false);
    node.error(err instanceof Error ? err.message : String(err));
    return 0;
  }
}

/**
 * A file to stream from the Node-RED host: `msg.filename` when the message
 * carries it, else the node's `filename` property; undefined when neither
 * names one. Returns the path and the name to give it in errors (the client
 * checks that it is a regular file that can be read, before any request).
 * A file is sent only when named here: never because msg.payload looks like
 * `{ path }`.
 */
export function fileFromMsgOrConfig(msg: NodeMessage, configured: unknown): { path: string; property: string } | undefined {
  const fromMsg = msg.filename !== undefined;
  const raw = fromMsg ? msg.filename : configured;
  const property = fromMsg ? 'msg.filename' : 'property filename';
  if (raw === '' || raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw new MediantInputError(property, 'the path of a file on the Node-RED host', raw);
  return { path: raw, property };
}

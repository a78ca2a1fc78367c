/**
 * The one helper for msg overrides: a value comes from `msg.<prop>` when the
 * message carries it, else from the node's property. Either way it is checked
 * before any request is sent, and a bad value is refused with an error that
 * names the property and what it expects:
 * `msg.gracefulTimeout must be an integer >= 0, got "abc"`.
 */
import { MediantInputError } from '../../client/errors';
import type { NodeMessage } from './red';

export interface Check<T> {
  /** What a good value is, in words: "an integer >= 0". */
  expected: string;
  /** The value, or undefined when it is not acceptable. */
  parse(v: unknown): T | undefined;
}

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

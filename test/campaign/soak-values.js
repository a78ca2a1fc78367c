'use strict';
/**
 * The soak campaign's message values (test/campaign/soak.js). The campaign
 * decides, from its seed, what each message holds as a small JSON recipe; the
 * soak-source node (test/campaign/nodes) builds the message from it inside
 * Node-RED, where values JSON cannot carry — BigInts, Symbols, functions,
 * getters that throw, Proxies, cycles, Buffers, 10,000-level nesting, own
 * `__proto__` keys — can be made. The soak-probe node uses `findSecrets` on
 * everything it receives.
 *
 * A recipe: `{ props: [{ p, v } | { p, k, n? }], whole?: KIND }`: `v` a JSON
 * value as is, `k` one of HOSTILE_KINDS built by `hostileValue(k, n)`;
 * `whole` makes the message itself odd (WHOLE_KINDS).
 */

/** Values no JSON can carry, and odd ones it can, for any msg property. */
const HOSTILE_KINDS = [
  'undefined', 'null', 'nan', 'infinity', 'negativeZero', 'hugeNumber', 'fraction', 'negative',
  'bigint', 'symbol', 'function', 'date', 'invalidDate', 'regexp', 'map', 'set',
  'buffer', 'uint8array', 'emptyString', 'blankString', 'controlString', 'unicodeString', 'hugeString',
  'numericString', 'pathTraversal', 'deepObject', 'deepArray', 'circular', 'protoKey', 'constructorKey',
  'oddObject', 'throwingGetter', 'throwingProxy', 'nullPrototype', 'frozen', 'error', 'pendingPromise',
  'sparseArray', 'hugeArray', 'hasOwnPropertyKey', 'classInstance', 'boolean', 'object', 'array',
];

/** Whole messages that are odd themselves. */
const WHOLE_KINDS = ['protoKey', 'throwingGetter', 'hasOwnPropertyKey', 'errorProperty', 'deepProperty', 'nullPrototype', 'symbolKey'];

function deep(levels, array) {
  let v = array ? [] : { end: true };
  for (let i = 0; i < levels; i++) v = array ? [v] : { d: v };
  return v;
}

class Odd {
  constructor() {
    this.kind = 'class instance';
  }

  get computed() {
    return 'computed';
  }
}

/** A value of kind `k`; `n` sizes the big ones (bytes, levels, entries). */
function hostileValue(k, n) {
  switch (k) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'nan': return NaN;
    case 'infinity': return -Infinity;
    case 'negativeZero': return -0;
    case 'hugeNumber': return 1e308;
    case 'fraction': return 0.5;
    case 'negative': return -5;
    case 'bigint': return 12345678901234567890n;
    case 'symbol': return Symbol('soak');
    case 'function': return function soak() { return 1; };
    case 'date': return new Date(0);
    case 'invalidDate': return new Date(NaN);
    case 'regexp': return /soak/g;
    case 'map': return new Map([['a', 1], [{}, 2]]);
    case 'set': return new Set([1, 'a', {}]);
    case 'buffer': return Buffer.alloc(n || 1024, 0x5a);
    case 'uint8array': return new Uint8Array([1, 2, 3, 255]);
    case 'emptyString': return '';
    case 'blankString': return ' \t\n ';
    case 'controlString': return 'a\u0000b\u001b[31mred\r\nX-Injected: 1';
    case 'unicodeString': return '\u{1F4A9}\uD800 caf\u00e9 \u202Eevil';
    case 'hugeString': return 'x'.repeat(n || 1024 * 1024);
    case 'numericString': return ['1e3', ' 5 ', '0x10', '-0', '007', '1.0'][(n || 0) % 6];
    case 'pathTraversal': return ['../actions/reset', '/../../etc/passwd', '..%2Factions', 'a/../../b', '%00'][(n || 0) % 5];
    case 'deepObject': return deep(n || 10000, false);
    case 'deepArray': return deep(n || 10000, true);
    case 'circular': {
      const o = { name: 'loop' };
      o.self = o;
      o.list = [o, { back: o }];
      return o;
    }
    case 'protoKey': return JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}');
    case 'constructorKey': return JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}');
    case 'oddObject': return { toString: 1, valueOf: 2, toJSON: 3, [Symbol.toPrimitive]: 4 };
    case 'throwingGetter': {
      const o = { ok: 1 };
      Object.defineProperty(o, 'boom', { enumerable: true, get() { throw new Error('getter throws'); } });
      return o;
    }
    case 'throwingProxy': {
      const fail = () => { throw new Error('proxy throws'); };
      return new Proxy({}, { get: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, getPrototypeOf: fail, set: fail, defineProperty: fail, deleteProperty: fail });
    }
    case 'nullPrototype': {
      const o = Object.create(null);
      o.a = 1;
      return o;
    }
    case 'frozen': return Object.freeze({ a: Object.freeze([1, 2]) });
    case 'error': return new Error('an error as a value');
    case 'pendingPromise': return new Promise(() => undefined);
    case 'sparseArray': {
      const a = [1];
      a[100000] = 2;
      return a;
    }
    case 'hugeArray': return Array.from({ length: n || 100000 }, (_, i) => i);
    case 'hasOwnPropertyKey': return { hasOwnProperty: 5, a: 1 };
    case 'classInstance': return new Odd();
    case 'boolean': return true;
    case 'object': return { a: { b: [1, 'two', null] } };
    case 'array': return [1, 'two', { three: 3 }];
    default: throw new Error(`soak: unknown value kind ${k}`);
  }
}

/** Make `msg` itself odd (after its properties are set). */
function makeWhole(msg, k) {
  switch (k) {
    case 'protoKey':
      Object.defineProperty(msg, '__proto__', { value: { polluted: 'yes' }, enumerable: true, writable: true, configurable: true });
      return msg;
    case 'throwingGetter':
      Object.defineProperty(msg, 'trap', { enumerable: true, configurable: true, get() { throw new Error('msg getter throws'); } });
      return msg;
    case 'hasOwnPropertyKey':
      msg.hasOwnProperty = 'not a function';
      return msg;
    case 'errorProperty':
      msg.error = { message: { toString: 1 }, source: 'odd' };
      return msg;
    case 'deepProperty':
      msg.nested = deep(10000, false);
      return msg;
    case 'nullPrototype': {
      const o = Object.create(null);
      for (const key of Object.keys(msg)) o[key] = msg[key];
      return o;
    }
    case 'symbolKey':
      msg[Symbol('soak')] = 'symbol keyed';
      return msg;
    default:
      throw new Error(`soak: unknown message kind ${k}`);
  }
}

/** The message a recipe describes, with `_msgid` set to `msgid`. */
function buildMessage(recipe, msgid) {
  let msg = { _msgid: msgid };
  for (const item of recipe.props || []) {
    msg[item.p] = 'k' in item ? hostileValue(item.k, item.n) : item.v;
  }
  if (recipe.whole) msg = makeWhole(msg, recipe.whole);
  return msg;
}

/**
 * Where in `value` any of `secrets` (strings) or a `Basic <token>` appears:
 * the paths, at most 5. Reads own data properties only (never calls a getter
 * or a Proxy trap that throws: what cannot be read cannot leak through this
 * message either), skips cycles, stops at 64 levels and 20,000 values.
 */
function findSecrets(value, secrets) {
  const found = [];
  const seen = new Set();
  let budget = 20000;
  const basic = /\bBasic\s+[A-Za-z0-9+/=_-]{6,}/i;
  const lower = secrets.filter(Boolean).map((s) => s.toLowerCase());
  const checkText = (text, where) => {
    if (found.length >= 5) return;
    const l = text.toLowerCase();
    if (basic.test(text) || lower.some((s) => l.includes(s))) found.push(where || '(top)');
  };
  const walk = (v, where, depth) => {
    if (found.length >= 5 || budget-- <= 0) return;
    if (typeof v === 'string') return checkText(v, where);
    if (Buffer.isBuffer(v)) return v.length <= 1024 * 1024 ? checkText(v.toString('latin1'), where) : undefined;
    if (v === null || typeof v !== 'object' || depth > 64 || seen.has(v)) return;
    seen.add(v);
    let keys;
    try {
      keys = Reflect.ownKeys(v);
    } catch {
      return;
    }
    for (const key of keys) {
      if (typeof key !== 'string') continue;
      let d;
      try {
        d = Object.getOwnPropertyDescriptor(v, key);
      } catch {
        continue;
      }
      if (d && 'value' in d) {
        checkText(key, `${where}.${key}(key)`);
        walk(d.value, where ? `${where}.${key}` : key, depth + 1);
      }
    }
  };
  walk(value, '', 0);
  return found;
}

module.exports = { HOSTILE_KINDS, WHOLE_KINDS, hostileValue, buildMessage, findSecrets };

/**
 * The simulator's configuration: an INI parameter store and a CLI
 * configuration tree, kept apart (the simulator does not translate one into
 * the other). Both are rebuilt from their text, and written back in a
 * normalised form: comments dropped, `key = value` spacing, a generated header
 * — that is how "the uploaded file gets transformed by the device".
 */

/** A file the device refuses: `line` is 1-based, 0 for the whole file. */
export class ConfigError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `line ${line}: ${reason}` : reason);
  }
}

// Control characters other than tab, CR and LF make a text file "incorrect".
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Decode an uploaded text file: valid UTF-8, BOM dropped, no control characters. */
export function decodeText(buf: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new ConfigError(0, 'not valid UTF-8 text');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (CONTROL_CHARS.test(lines[i])) throw new ConfigError(i + 1, 'control character');
  }
  return text;
}

// ---------------------------------------------------------------- INI

interface IniSection {
  name: string;
  /** A table (`[ Name ]` ... `[ \Name ]`): its rows are keyed inside it. */
  table: boolean;
  entries: Map<string, { key: string; value: string }>;
}

export interface IniOp {
  section: string;
  table: boolean;
  key: string;
  value: string;
}

const DEFAULT_SECTION = 'SYSTEM Params';

/**
 * Parse INI text into parameter assignments. Rules: blank lines and lines
 * starting with `;` or `#` are comments; `[Section]` opens a section and
 * `[ \Name ]` closes table `Name`; every other line must be `key = value` with
 * a non-empty key. A file with no parameter at all is refused.
 */
export function parseIni(text: string): IniOp[] {
  const lines = text.split(/\r?\n/);
  const closers = new Set<string>();
  for (const l of lines) {
    const m = /^\s*\[\s*\\\s*([^\]]+?)\s*\]\s*$/.exec(l);
    if (m) closers.add(m[1].toLowerCase());
  }
  const ops: IniOp[] = [];
  let section = '';
  let table = false;
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith(';') || t.startsWith('#')) return;
    const sec = /^\[\s*(\\?)\s*([^\]]*?)\s*\]$/.exec(t);
    if (sec) {
      if (sec[2] === '') throw new ConfigError(i + 1, 'empty section name');
      if (sec[1]) {
        section = '';
        table = false;
      } else {
        section = sec[2];
        table = closers.has(sec[2].toLowerCase());
      }
      return;
    }
    const eq = t.indexOf('=');
    if (eq <= 0) throw new ConfigError(i + 1, 'expected "key = value"');
    const key = t.slice(0, eq).trim().replace(/\s+/g, ' ');
    const value = t.slice(eq + 1).trim();
    if (key === '' || /[[\]]/.test(key)) throw new ConfigError(i + 1, 'invalid parameter name');
    ops.push({ section, table, key, value });
  });
  if (ops.length === 0) throw new ConfigError(0, 'no parameters');
  return ops;
}

export class IniConfig {
  private sections: IniSection[] = [];

  static fromText(text: string): IniConfig {
    const c = new IniConfig();
    c.apply(parseIni(text));
    return c;
  }

  private section(name: string, table: boolean): IniSection {
    const lower = name.toLowerCase();
    let s = this.sections.find((x) => x.table === table && x.name.toLowerCase() === lower);
    if (!s) {
      s = { name, table, entries: new Map() };
      this.sections.push(s);
    }
    return s;
  }

  /**
   * Apply assignments. Plain parameters are global on the device, the
   * section only says where a new one is written: an existing parameter is
   * updated in place (names are case-insensitive). Table rows are keyed
   * within their table.
   */
  apply(ops: IniOp[]): void {
    for (const op of ops) {
      const lower = op.key.toLowerCase();
      if (op.table) {
        this.section(op.section, true).entries.set(lower, { key: op.key, value: op.value });
        continue;
      }
      const existing = this.sections.find((s) => !s.table && s.entries.has(lower));
      const target = existing ?? this.section(op.section || DEFAULT_SECTION, false);
      target.entries.set(lower, { key: existing ? (target.entries.get(lower) as { key: string }).key : op.key, value: op.value });
    }
  }

  get(key: string): string | undefined {
    const lower = key.toLowerCase();
    for (const s of this.sections) {
      const e = s.entries.get(lower);
      if (e) return e.value;
    }
    return undefined;
  }

  /** The parameters, normalised (no header). */
  serialize(): string {
    const out: string[] = [];
    for (const s of this.sections) {
      if (s.entries.size === 0) continue;
      if (s.table) {
        out.push(`[ ${s.name} ]`, '');
        for (const e of s.entries.values()) out.push(`${e.key} = ${e.value}`);
        out.push('', `[ \\${s.name} ]`, '');
      } else {
        out.push(`[${s.name}]`, '');
        for (const e of s.entries.values()) out.push(`${e.key} = ${e.value}`);
        out.push('');
      }
    }
    return out.join('\r\n');
  }
}

export function iniHeader(info: { serialNumber: string; versionID: string; productType: string }): string {
  return [
    ';**************',
    ';** Ini File **',
    ';**************',
    '',
    `;Board: ${info.productType}`,
    `;Serial Number: ${info.serialNumber}`,
    `;Software Version: ${info.versionID}`,
    ';Generated by mediant-sim',
    '',
    '',
  ].join('\r\n');
}

export const DEFAULT_INI = `[SYSTEM Params]
SyslogServerIP = 10.4.2.23
EnableSyslog = 1
NTPServerIP = 10.4.2.1
ENABLEPARAMETERSMONITORING = 1
ActivityListToLog = 'pvc', 'afl', 'dr', 'fb', 'swu', 'ard', 'naa', 'spc', 'll', 'cli', 'ae'

[BSP Params]
PCMLawSelect = 3

[SIP Params]
MEDIACHANNELS = 30
GWDEBUGLEVEL = 1
ENABLESBCAPPLICATION = 1

[ IPGroup ]
FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName;
IPGroup 0 = 0, "Default_IPG", "ProxySet_0";
IPGroup 1 = 0, "ITSP", "ProxySet_ITSP";
IPGroup 2 = 1, "IP-PBX", "ProxySet_PBX";
[ \\IPGroup ]
`;

// ---------------------------------------------------------------- CLI

interface CliNode {
  line: string;
  /** undefined: a plain command; an array: a sub-mode (closed by `exit`). */
  children?: CliNode[];
}

/** Split on spaces, keeping "quoted strings" whole. */
function tokens(line: string): string[] {
  return line.match(/"[^"]*"|\S+/g) ?? [];
}

/** A plain command replaces the one with the same words but the last (`name "a"` replaces `name "b"`). */
function keyOf(line: string): string {
  const t = tokens(line);
  return t.length <= 1 ? line : t.slice(0, -1).join(' ');
}

export function normalizeCliLine(line: string): string {
  return tokens(line.trim()).join(' ');
}

const CONFIGURE = /^configure [a-z][a-z0-9-]*$/;
const SHOW = /^(?:do )?show(?: |$)/;

/** Answers a `show` command with its output, or undefined when the command is unknown. */
export type ShowHandler = (command: string, config: CliConfig) => string | undefined;

/**
 * A CLI configuration tree, changed by running scripts. Script rules (the
 * same for full and incremental scripts):
 *  - blank lines and lines starting with `#` or `!` are comments;
 *  - at the top level only `configure <area>`, `show ...` and `exit` are
 *    allowed; anything else makes the script incorrect;
 *  - inside a mode, a line followed by a MORE indented line opens a sub-mode
 *    (as in scripts the device writes); `exit` closes one mode, `end` all;
 *    `activate` is accepted and does nothing more;
 *  - `no <command>` removes that command (or sub-mode);
 *  - `show ...` / `do show ...` runs a query; an unknown query makes the
 *    script incorrect (as does `show` with nothing after it);
 *  - a script with a control character or invalid UTF-8 is incorrect.
 * A script is checked whole before anything is applied.
 */
export class CliConfig {
  private root: CliNode[] = [];

  /** Build a configuration from a full script (its `show` commands are checked with `show`, their output dropped). */
  static fromText(text: string, show: ShowHandler = () => ''): CliConfig {
    const c = new CliConfig();
    c.run(text, show);
    return c;
  }

  private clone(): CliNode[] {
    return JSON.parse(JSON.stringify(this.root)) as CliNode[];
  }

  /** Run a script; returns the outputs of its `show` commands joined by newlines. Throws ConfigError. */
  run(text: string, show: ShowHandler): { output: string; lines: string[] } {
    const backup = this.root;
    this.root = this.clone();
    try {
      return this.runUnsafe(text, show);
    } catch (e) {
      this.root = backup;
      throw e;
    }
  }

  private runUnsafe(text: string, show: ShowHandler): { output: string; lines: string[] } {
    const raw = text.split(/\r?\n/);
    const indent = (s: string): number => (/^[ \t]*/.exec(s) as RegExpExecArray)[0].replace(/\t/g, '    ').length;
    const isComment = (t: string): boolean => t === '' || t.startsWith('#') || t.startsWith('!');
    const outputs: string[] = [];
    const seen: string[] = [];
    const stack: CliNode[][] = [this.root];
    let commands = 0;
    for (let i = 0; i < raw.length; i++) {
      const t = normalizeCliLine(raw[i]);
      if (isComment(t)) continue;
      commands++;
      seen.push(t);
      const ctx = stack[stack.length - 1];
      if (t === 'exit') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      if (t === 'end') {
        stack.length = 1;
        continue;
      }
      if (t === 'activate') continue;
      if (SHOW.test(t)) {
        const cmd = t.replace(/^do /, '');
        const out = show(cmd, this);
        if (out === undefined) throw new ConfigError(i + 1, `unknown command "${cmd}"`);
        if (out !== '') outputs.push(out);
        continue;
      }
      if (stack.length === 1) {
        if (!CONFIGURE.test(t)) throw new ConfigError(i + 1, `invalid command "${t}" (expected "configure <area>")`);
        stack.push(this.mode(ctx, t));
        continue;
      }
      let j = i + 1;
      while (j < raw.length && isComment(raw[j].trim())) j++;
      const opensMode = j < raw.length && indent(raw[j]) > indent(raw[i]);
      if (t.startsWith('no ')) {
        const target = t.slice(3);
        const k = keyOf(target);
        for (let n = ctx.length - 1; n >= 0; n--) {
          const c = ctx[n];
          if (c.line === target || (!c.children && (keyOf(c.line) === k || c.line === k))) ctx.splice(n, 1);
        }
        if (opensMode) stack.push([]); // a "no" line never holds settings: swallow its body
        continue;
      }
      if (opensMode) {
        stack.push(this.mode(ctx, t));
        continue;
      }
      const k = keyOf(t);
      const at = ctx.findIndex((c) => !c.children && (c.line === t || keyOf(c.line) === k));
      if (at >= 0) ctx[at] = { line: t };
      else ctx.push({ line: t });
    }
    if (commands === 0) throw new ConfigError(0, 'no commands');
    return { output: outputs.join('\n'), lines: seen };
  }

  private mode(ctx: CliNode[], line: string): CliNode[] {
    let node = ctx.find((c) => c.children && c.line === line);
    if (!node) {
      node = { line, children: [] };
      ctx.push(node);
    }
    return node.children as CliNode[];
  }

  /** The running configuration as a script (one space of indentation per level, `exit` closing every mode). */
  serialize(area?: string): string {
    const out: string[] = [];
    const walk = (nodes: CliNode[], depth: number): void => {
      const pad = ' '.repeat(depth);
      for (const n of nodes) {
        out.push(pad + n.line);
        if (n.children) {
          walk(n.children, depth + 1);
          if (depth > 0 && n.children.some((c) => !c.children)) out.push(pad + ' activate');
          out.push(pad + 'exit');
        }
      }
    };
    walk(area ? this.root.filter((n) => n.line === `configure ${area}`) : this.root, 0);
    return out.join('\r\n') + (out.length ? '\r\n' : '');
  }
}

export function cliHeader(info: { serialNumber: string; versionID: string; productType: string }): string {
  return [`## ${info.productType} CLI configuration script`, `## Serial number: ${info.serialNumber}`, `## Software version: ${info.versionID}`, '', ''].join('\r\n');
}

export const DEFAULT_CLI = `configure system
 hostname "mediant-sim"
 ntp
  primary-server "10.4.2.1"
 exit
exit
configure network
 interface network-if 0
  ip-address 10.4.219.62
  prefix-length 16
  gateway 10.4.0.1
  name "O+M+C"
 exit
exit
configure voip
 trunk 1
  protocol e1-euro-isdn
  line-code hdb3
 exit
 trunk 2
  protocol e1-euro-isdn
  line-code hdb3
 exit
 proxy-set 1
  proxy-name "ProxySet_ITSP"
 exit
 ip-group 1
  name "ITSP"
  proxy-set-name "ProxySet_ITSP"
 exit
 ip-group 2
  name "IP-PBX"
 exit
exit
`;

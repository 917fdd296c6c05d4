/**
 * The TOML that asciinema's config files use: flat keys in tables, scalar values. Enough of
 * TOML to read them as the asciinema CLI does; arrays and inline tables are skipped.
 *
 * @module
 */

/**
 * A value read from a TOML file: a string, a number (integer or float), a boolean, or `null`
 * for the kinds this reader keeps opaque (arrays, inline tables, dates and times).
 */
export type TomlValue = string | number | boolean | null;

/** Options for {@linkcode parseConfigToml}. */
export interface ParseConfigTomlOptions {
  /**
   * Throw a `SyntaxError` (`line N: …`) on a line that is not TOML; default false, which
   * skips such lines (what the server-URL lookup has always done).
   */
  strict?: boolean;
}

/**
 * Reads the flat key/value content of a TOML config file, as asciinema's config files use
 * it: `[table]` headers (also `[[table]]`), bare, quoted and dotted keys, basic and literal
 * strings (one-line and multi-line), booleans, integers and floats, comments. Arrays, inline
 * tables and dates are skipped over and kept as `null`. Keys are returned with their table,
 * dotted (`session.command`); a later assignment wins.
 *
 * @throws {SyntaxError} with `strict`, naming the line that is not TOML.
 * @example
 * ```ts
 * import { parseConfigToml } from "./config.ts";
 * parseConfigToml('[session]\ncommand = "bash -l"\ncapture_input = true\n');
 * // Map { "session.command" => "bash -l", "session.capture_input" => true }
 * ```
 */
export function parseConfigToml(
  text: string,
  options: ParseConfigTomlOptions = {},
): Map<string, TomlValue> {
  const values = new Map<string, TomlValue>();
  const lines = text.split(/\r?\n/);
  let table = "";
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const fail = (message: string): void => {
      if (options.strict) throw new SyntaxError(`line ${lineNo}: ${message}`);
    };
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      const header = /^\[\[([^\[\]#=]+)\]\]\s*(?:#.*)?$|^\[([^\[\]#=]+)\]\s*(?:#.*)?$/.exec(line);
      const name = header ? _tomlKey(header[1] ?? header[2]!) : undefined;
      if (name === undefined) fail(`invalid table header ${JSON.stringify(line)}`);
      else table = name;
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    const key = kv ? _tomlKey(kv[1]!) : undefined;
    if (!kv || key === undefined) {
      fail(`expected KEY = VALUE, got ${JSON.stringify(line)}`);
      continue;
    }
    let source = kv[2]!;
    let scanned = _scanTomlValue(source);
    // Multi-line strings and arrays continue on the next lines.
    while (scanned === _INCOMPLETE && i + 1 < lines.length) {
      source += `\n${lines[++i]!}`;
      scanned = _scanTomlValue(source);
    }
    if (typeof scanned === "string") {
      fail(scanned === _INCOMPLETE ? `unterminated value of ${key}` : `${key}: ${scanned}`);
      continue;
    }
    const rest = source.slice(scanned.end).trim();
    if (options.strict && rest !== "" && !rest.startsWith("#")) {
      fail(`unexpected ${JSON.stringify(rest)} after the value of ${key}`);
    }
    values.set(table === "" ? key : `${table}.${key}`, scanned.value);
  }
  return values;
}

/** A key (`a`, `"a b"`, `a.b`, `'a'`) in dotted form; `undefined` when it is not a key. */
function _tomlKey(source: string): string | undefined {
  const parts: string[] = [];
  const re = /\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(\.|$)/y;
  for (;;) {
    const m = re.exec(source);
    if (m === null) return undefined;
    parts.push(m[1] ?? m[2] ?? m[3]!);
    if (m[4] === "") return parts.join(".");
  }
}

const _INCOMPLETE = "incomplete";

/** A scanned value and where it ends, {@linkcode _INCOMPLETE}, or an error message. */
type _Scanned = { value: TomlValue; end: number } | string;

const _SIMPLE_ESCAPES: Record<string, string> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  e: "\x1b",
  '"': '"',
  "\\": "\\",
};

/** Scans one value at the start of `source`. */
function _scanTomlValue(source: string): _Scanned {
  if (source.startsWith("'''")) {
    const end = source.indexOf("'''", 3);
    if (end < 0) return _INCOMPLETE;
    return { value: source.slice(3, end).replace(/^\n/, ""), end: end + 3 };
  }
  if (source.startsWith('"""')) {
    const s = _scanBasicString(source, '"""');
    return typeof s === "string"
      ? s
      : { value: (s.value as string).replace(/^\n/, ""), end: s.end };
  }
  if (source.startsWith("'")) {
    const end = source.indexOf("'", 1);
    if (end < 0 || source.slice(1, end).includes("\n")) return "unterminated string";
    return { value: source.slice(1, end), end: end + 1 };
  }
  if (source.startsWith('"')) return _scanBasicString(source, '"');
  if (source.startsWith("[") || source.startsWith("{")) return _scanNested(source);
  const bare = /^[^\s#,\]}]+/.exec(source)?.[0];
  if (bare === undefined) return "missing value";
  if (bare === "true" || bare === "false") return { value: bare === "true", end: bare.length };
  const number = _tomlNumber(bare);
  if (number !== undefined) return { value: number, end: bare.length };
  const dateTime = /^(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}[^\s#,\]}]*)?|\d{2}:\d{2}[^\s#,\]}]*)/
    .exec(source)?.[0];
  if (dateTime !== undefined) return { value: null, end: dateTime.length };
  return `invalid value ${JSON.stringify(bare)}`;
}

function _tomlNumber(token: string): number | undefined {
  if (/(?:^|[^0-9A-Fa-f])_|_(?:$|[^0-9A-Fa-f])/.test(token)) return undefined;
  const t = token.replaceAll("_", "");
  if (/^[+-]?inf$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (/^0x[0-9A-Fa-f]+$|^0o[0-7]+$|^0b[01]+$/.test(t)) return Number(t);
  if (/^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t)) return Number(t);
  return undefined;
}

function _scanBasicString(source: string, quote: '"' | '"""'): _Scanned {
  let out = "";
  for (let i = quote.length; i < source.length; i++) {
    if (source.startsWith(quote, i)) return { value: out, end: i + quote.length };
    const c = source[i]!;
    if (c === "\n" && quote === '"') return "unterminated string";
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = source[++i];
    if (e === undefined) break;
    if (e in _SIMPLE_ESCAPES) {
      out += _SIMPLE_ESCAPES[e];
    } else if (e === "u" || e === "U") {
      const len = e === "u" ? 4 : 8;
      const hex = source.slice(i + 1, i + 1 + len);
      if (hex.length !== len || !/^[0-9A-Fa-f]+$/.test(hex)) return `invalid escape \\${e}${hex}`;
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (quote === '"""' && /[ \t\n]/.test(e)) {
      // A line-ending backslash joins the lines, dropping the whitespace after it.
      const skip = /^[ \t]*\n\s*/.exec(source.slice(i));
      if (!skip) return `invalid escape \\${e}`;
      i += skip[0].length - 1;
    } else {
      return `invalid escape \\${e}`;
    }
  }
  return quote === '"' ? "unterminated string" : _INCOMPLETE;
}

/** Skips an array or inline table (strings and comments inside included); kept as `null`. */
function _scanNested(source: string): _Scanned {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "[" || c === "{") {
      depth++;
    } else if (c === "]" || c === "}") {
      if (--depth === 0) return { value: null, end: i + 1 };
    } else if (c === "#") {
      const nl = source.indexOf("\n", i);
      if (nl < 0) break;
      i = nl;
    } else if (c === '"' || c === "'") {
      const s = _scanTomlValue(source.slice(i));
      if (typeof s === "string") return s;
      i += s.end - 1;
    }
  }
  return _INCOMPLETE;
}

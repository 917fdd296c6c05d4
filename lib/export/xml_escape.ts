/**
 * Escaping for XML and HTML text and attribute values, so that terminal text and titles can
 * never become markup.
 *
 * @module
 */

// Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
const INVALID =
  // deno-lint-ignore no-control-regex
  /[\0-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SPECIAL = /[&<>"']/g;
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes `text` for XML/HTML text or a quoted attribute value; characters XML cannot hold
 * become U+FFFD.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./xml_escape.ts";
 * escapeXml('<b a="1">&</b>'); // "&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(INVALID, "\ufffd").replace(SPECIAL, (c) => ENTITIES[c]!);
}

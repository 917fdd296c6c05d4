/**
 * The few DER (ASN.1 Distinguished Encoding Rules) types a self-signed X.509 certificate
 * needs: every function returns one complete element (tag, length, content).
 *
 * @module
 */

function _length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One element: `tag`, its length, then `content`. */
export function derElement(tag: number, content: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = [tag, ..._length(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

function _concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** SEQUENCE of the elements. */
export function derSequence(...items: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return derElement(0x30, _concat(items));
}

/** SET of the elements (given in DER order). */
export function derSet(...items: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return derElement(0x31, _concat(items));
}

/** A context-specific constructed (EXPLICIT) tag `[n]` around the elements. */
export function derExplicit(n: number, ...items: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return derElement(0xa0 | n, _concat(items));
}

/** A non-negative INTEGER from its big-endian magnitude. */
export function derUnsigned(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  // A set high bit would make it negative: a leading zero keeps it positive.
  const content = (bytes[0] ?? 0) & 0x80 ? _concat([new Uint8Array([0]), bytes]) : bytes;
  return derElement(0x02, content.length === 0 ? new Uint8Array([0]) : content);
}

/** A small non-negative INTEGER. */
export function derSmall(n: number): Uint8Array<ArrayBuffer> {
  return derUnsigned(new Uint8Array([n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]));
}

/** An OBJECT IDENTIFIER from its dotted form (`1.2.840.10045.4.3.2`). */
export function derOid(dotted: string): Uint8Array<ArrayBuffer> {
  const arcs = dotted.split(".").map(Number);
  const bytes = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [];
    for (let v = arc;; v = Math.floor(v / 128)) {
      groups.unshift(v & 0x7f);
      if (v < 128) break;
    }
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return derElement(0x06, new Uint8Array(bytes));
}

/** A UTF8String. */
export function derUtf8(text: string): Uint8Array<ArrayBuffer> {
  return derElement(0x0c, new TextEncoder().encode(text));
}

/** A BIT STRING of whole bytes. */
export function derBits(bytes: Uint8Array, unusedBits = 0): Uint8Array<ArrayBuffer> {
  return derElement(0x03, _concat([new Uint8Array([unusedBits]), bytes]));
}

/** An OCTET STRING. */
export function derOctets(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return derElement(0x04, bytes);
}

/** The BOOLEAN TRUE. */
export function derTrue(): Uint8Array<ArrayBuffer> {
  return derElement(0x01, new Uint8Array([0xff]));
}

/** A time as X.509 wants it: UTCTime up to 2049, GeneralizedTime from 2050. */
export function derTime(date: Date): Uint8Array<ArrayBuffer> {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z"; // 20260102030405Z
  const year = date.getUTCFullYear();
  return year < 2050
    ? derElement(0x17, new TextEncoder().encode(digits.slice(2)))
    : derElement(0x18, new TextEncoder().encode(digits));
}

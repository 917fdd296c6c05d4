/**
 * QR codes (ISO/IEC 18004, model 2) for the URL of a stream (`--qr`), so a phone can join:
 * byte mode, versions 1–40, the four error-correction levels, all eight masks scored by the
 * standard's penalty rules; and a rendering with half-block characters in explicit black on
 * white, so it scans on dark and light terminals alike. Written here because it is small
 * and needs nothing but the standard.
 *
 * @module
 */

/** Error-correction level: recovers about 7, 15, 25 or 30 % of the symbol. */
export type QrLevel = "L" | "M" | "Q" | "H";

/** A QR symbol: `modules[y][x]` is true for a dark module. */
export interface QrCode {
  /** 1–40. */
  version: number;
  /** Modules per side (17 + 4 × version). */
  size: number;
  /** The error-correction level used. */
  level: QrLevel;
  /** The mask pattern chosen (0–7). */
  mask: number;
  /** Rows of modules, true = dark. */
  modules: boolean[][];
}

// Per level, indexed by version (index 0 unused): EC codewords per block, and blocks.
// deno-fmt-ignore
const EC_PER_BLOCK: Record<QrLevel, number[]> = {
  L: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  M: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  Q: [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  H: [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
};
// deno-fmt-ignore
const BLOCKS: Record<QrLevel, number[]> = {
  L: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  M: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  Q: [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  H: [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
};
const FORMAT_LEVEL: Record<QrLevel, number> = { L: 1, M: 0, Q: 3, H: 2 };

/** Modules left for data and error correction in a version. */
function _rawModules(version: number): number {
  let n = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    n -= (25 * align - 10) * align - 55;
    if (version >= 7) n -= 36;
  }
  return n;
}

function _dataCodewords(version: number, level: QrLevel): number {
  return Math.floor(_rawModules(version) / 8) -
    EC_PER_BLOCK[level][version]! * BLOCKS[level][version]!;
}

function _alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const positions = [6];
  for (let pos = version * 4 + 10; positions.length < count; pos -= step) {
    positions.splice(1, 0, pos);
  }
  return positions;
}

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1. */
function _gfMul(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

function _rsDivisor(degree: number): number[] {
  const result = new Array<number>(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = _gfMul(result[j]!, root);
      if (j + 1 < degree) result[j]! ^= result[j + 1]!;
    }
    root = _gfMul(root, 2);
  }
  return result;
}

function _rsRemainder(data: number[], divisor: number[]): number[] {
  const result = new Array<number>(divisor.length).fill(0);
  for (const byte of data) {
    const factor = byte ^ result.shift()!;
    result.push(0);
    divisor.forEach((d, i) => (result[i]! ^= _gfMul(d, factor)));
  }
  return result;
}

/** The codewords of the data, split in blocks with their error correction, interleaved. */
function _codewords(data: number[], version: number, level: QrLevel): number[] {
  const blocks = BLOCKS[level][version]!;
  const ec = EC_PER_BLOCK[level][version]!;
  const raw = Math.floor(_rawModules(version) / 8);
  const shortBlocks = blocks - (raw % blocks);
  const shortLength = Math.floor(raw / blocks);
  const divisor = _rsDivisor(ec);
  const all: number[][] = [];
  for (let i = 0, k = 0; i < blocks; i++) {
    const part = data.slice(k, k + shortLength - ec + (i < shortBlocks ? 0 : 1));
    k += part.length;
    const check = _rsRemainder(part, divisor);
    if (i < shortBlocks) part.push(0); // a place holder, skipped below
    all.push([...part, ...check]);
  }
  const out: number[] = [];
  for (let i = 0; i < all[0]!.length; i++) {
    all.forEach((block, j) => {
      if (i !== shortLength - ec || j >= shortBlocks) out.push(block[i]!);
    });
  }
  return out;
}

class _Matrix {
  readonly modules: boolean[][];
  readonly fixed: boolean[][];
  constructor(readonly size: number) {
    this.modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.fixed = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }

  set(x: number, y: number, dark: boolean): void {
    this.modules[y]![x] = dark;
    this.fixed[y]![x] = true;
  }

  finder(cx: number, cy: number): void {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= this.size || y >= this.size) continue;
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        this.set(x, y, d !== 2 && d !== 4);
      }
    }
  }

  alignment(cx: number, cy: number): void {
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        this.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  }

  format(level: QrLevel, mask: number): void {
    const data = (FORMAT_LEVEL[level] << 3) | mask;
    let rem = data;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    const bits = ((data << 10) | rem) ^ 0x5412;
    const bit = (i: number) => ((bits >>> i) & 1) !== 0;
    const n = this.size;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(n - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, n - 15 + i, bit(i));
    this.set(8, n - 8, true); // the dark module
  }

  versionInfo(version: number): void {
    if (version < 7) return;
    let rem = version;
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
    const bits = (version << 12) | rem;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) !== 0;
      const a = this.size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      this.set(a, b, dark);
      this.set(b, a, dark);
    }
  }

  /** Places the codewords' bits in the zigzag order, over the modules not fixed. */
  place(codewords: number[]): void {
    let i = 0;
    const total = codewords.length * 8;
    for (let right = this.size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((right + 1) & 2) === 0;
      for (let v = 0; v < this.size; v++) {
        const y = upward ? this.size - 1 - v : v;
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          if (this.fixed[y]![x] || i >= total) continue;
          this.modules[y]![x] = ((codewords[i >>> 3]! >>> (7 - (i & 7))) & 1) !== 0;
          i++;
        }
      }
    }
  }

  /** Flips the data modules where mask `mask` says (applying it twice undoes it). */
  mask(mask: number): void {
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        if (this.fixed[y]![x]) continue;
        const xy = x * y;
        const flip = [
          (x + y) % 2 === 0,
          y % 2 === 0,
          x % 3 === 0,
          (x + y) % 3 === 0,
          (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
          (xy % 2) + (xy % 3) === 0,
          ((xy % 2) + (xy % 3)) % 2 === 0,
          (((x + y) % 2) + (xy % 3)) % 2 === 0,
        ][mask]!;
        if (flip) this.modules[y]![x] = !this.modules[y]![x];
      }
    }
  }

  /** The standard's penalty score (lower is easier to scan). */
  penalty(): number {
    const n = this.size;
    const m = this.modules;
    let score = 0;
    const lines: boolean[][] = [];
    for (let i = 0; i < n; i++) {
      lines.push(m[i]!);
      lines.push(m.map((row) => row[i]!));
    }
    const finderA = [true, false, true, true, true, false, true, false, false, false, false];
    const finderB = [...finderA].reverse();
    for (const line of lines) {
      let run = 1;
      for (let i = 1; i <= n; i++) {
        if (i < n && line[i] === line[i - 1]) run++;
        else {
          if (run >= 5) score += 3 + (run - 5);
          run = 1;
        }
      }
      // Finder-like 1:1:3:1:1 with four light modules on one side (outside counts light).
      for (let i = -4; i < n; i++) {
        const at = (k: number) => (i + k >= 0 && i + k < n ? line[i + k]! : false);
        if (finderA.every((v, k) => at(k) === v) || finderB.every((v, k) => at(k) === v)) {
          score += 40;
        }
      }
    }
    let dark = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        if (m[y]![x]) dark++;
        if (
          x < n - 1 && y < n - 1 && m[y]![x] === m[y]![x + 1] && m[y]![x] === m[y + 1]![x] &&
          m[y]![x] === m[y + 1]![x + 1]
        ) score += 3;
      }
    }
    const total = n * n;
    score += (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
    return score;
  }
}

/** Options for {@linkcode encodeQr}. */
export interface QrOptions {
  /** Error-correction level. Default `"M"`. */
  level?: QrLevel;
}

/**
 * Encodes text (as UTF-8, byte mode) in the smallest QR version that holds it.
 *
 * @throws {RangeError} when the text is too long for any version (2 331 bytes at level M).
 * @example
 * ```ts
 * import { encodeQr } from "./qr_code.ts";
 * const qr = encodeQr("http://192.168.1.20:8080/");
 * qr.size; // 29 (version 3)
 * ```
 */
export function encodeQr(text: string, options: QrOptions = {}): QrCode {
  const level = options.level ?? "M";
  const bytes = new TextEncoder().encode(text);
  let version = 1;
  for (;; version++) {
    if (version > 40) {
      throw new RangeError(`${bytes.length} bytes do not fit in a QR code at level ${level}`);
    }
    const countBits = version < 10 ? 8 : 16;
    if (4 + countBits + bytes.length * 8 <= _dataCodewords(version, level) * 8) break;
  }
  // Mode 0100 (bytes), the count, the bytes, a terminator, then padding codewords.
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const capacity = _dataCodewords(version, level) * 8;
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) put(pad, 8);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) {
    data.push(bits.slice(i, i + 8).reduce((v, b) => (v << 1) | b, 0));
  }

  const size = version * 4 + 17;
  const matrix = new _Matrix(size);
  for (let i = 0; i < size; i++) {
    matrix.set(6, i, i % 2 === 0);
    matrix.set(i, 6, i % 2 === 0);
  }
  matrix.finder(3, 3);
  matrix.finder(size - 4, 3);
  matrix.finder(3, size - 4);
  const align = _alignmentPositions(version);
  for (const [i, ay] of align.entries()) {
    for (const [j, ax] of align.entries()) {
      const corner = (i === 0 && j === 0) || (i === 0 && j === align.length - 1) ||
        (i === align.length - 1 && j === 0);
      if (!corner) matrix.alignment(ax, ay);
    }
  }
  matrix.format(level, 0); // reserves the format modules; rewritten with the chosen mask
  matrix.versionInfo(version);
  matrix.place(_codewords(data, version, level));

  let best = 0;
  let bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    matrix.mask(mask);
    matrix.format(level, mask);
    const score = matrix.penalty();
    if (score < bestScore) {
      best = mask;
      bestScore = score;
    }
    matrix.mask(mask);
  }
  matrix.mask(best);
  matrix.format(level, best);
  return { version, size, level, mask: best, modules: matrix.modules };
}

/**
 * The symbol as terminal text: two module rows per line with half blocks, black on white
 * (explicit colours, so it scans on any terminal theme), inside a light margin.
 *
 * @example
 * ```ts
 * import { encodeQr, qrToTerminal } from "./qr_code.ts";
 * console.error(qrToTerminal(encodeQr("https://example.com/")));
 * ```
 */
export function qrToTerminal(qr: QrCode, margin = 2): string {
  const n = qr.size + 2 * margin;
  const dark = (x: number, y: number) => {
    const mx = x - margin;
    const my = y - margin;
    return mx >= 0 && my >= 0 && mx < qr.size && my < qr.size && qr.modules[my]![mx]!;
  };
  const lines: string[] = [];
  for (let y = 0; y < n; y += 2) {
    let line = "\x1b[30;107m";
    for (let x = 0; x < n; x++) {
      const top = dark(x, y);
      const bottom = y + 1 < n && dark(x, y + 1);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(line + "\x1b[0m");
  }
  return lines.join("\n") + "\n";
}

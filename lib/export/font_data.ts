/**
 * The embedded font: DejaVu Sans Mono, regular and bold (Bitstream Vera licence with the
 * DejaVu changes in the public domain; the licence is `fonts/LICENSE-DejaVu.txt`). Italic is
 * drawn by slanting these outlines, which is what DejaVu Sans Mono Oblique is.
 *
 * The bytes come in through imports, so the single binary carries them.
 *
 * @module
 */
import regular from "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf" with { type: "bytes" };
import bold from "dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf" with { type: "bytes" };

/** DejaVu Sans Mono (`.ttf` bytes). */
export const FONT_REGULAR: Uint8Array = regular;
/** DejaVu Sans Mono Bold (`.ttf` bytes). */
export const FONT_BOLD: Uint8Array = bold;

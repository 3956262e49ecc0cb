/**
 * Bytes to text for the XML front end: pick the encoding the way an XML
 * processor must (byte order mark first, then the XML declaration, else UTF-8)
 * and decode incrementally, so a multi-byte character split across two chunks
 * comes out whole.
 */
import { TextDecoder } from 'node:util';

export type EncodingChoice =
  | { readonly ok: true; readonly encoding: string }
  | { readonly ok: false; readonly reason: string };

/** Enough bytes to see a BOM and a whole XML declaration (it is short and comes first). */
export const SNIFF_BYTES = 1024;

const UTF16_NAMES = new Set(['utf-16', 'utf-16le', 'utf-16be', 'ucs-2', 'iso-10646-ucs-2', 'unicode']);

/**
 * The encoding of a document from its first bytes (at least SNIFF_BYTES, or the
 * whole document if shorter). TextDecoder consumes the BOM itself.
 */
export function sniffEncoding(head: Uint8Array): EncodingChoice {
  const [b0, b1, b2, b3] = head;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { ok: true, encoding: 'utf-8' };
  if (b0 === 0xfe && b1 === 0xff) return { ok: true, encoding: 'utf-16be' };
  if (b0 === 0xff && b1 === 0xfe) return { ok: true, encoding: 'utf-16le' };
  // "<?" in UTF-16 without a BOM (XML spec appendix F).
  if (b0 === 0x3c && b1 === 0x00 && b2 === 0x3f && b3 === 0x00) return { ok: true, encoding: 'utf-16le' };
  if (b0 === 0x00 && b1 === 0x3c && b2 === 0x00 && b3 === 0x3f) return { ok: true, encoding: 'utf-16be' };

  const declared = declaredEncoding(head);
  if (declared === undefined) return { ok: true, encoding: 'utf-8' };
  const label = declared.toLowerCase();
  // The declaration was readable one byte per character, so the bytes are not
  // UTF-16 whatever the label says; UTF-8 is the only sane reading.
  if (UTF16_NAMES.has(label)) return { ok: true, encoding: 'utf-8' };
  try {
    // WHATWG maps iso-8859-1, latin1 and us-ascii onto windows-1252, a superset.
    return { ok: true, encoding: new TextDecoder(label).encoding };
  } catch {
    return { ok: false, reason: `unsupported XML encoding "${declared.slice(0, 40)}"` };
  }
}

/** The encoding="…" of an XML declaration read as ASCII, if there is one. */
function declaredEncoding(head: Uint8Array): string | undefined {
  // <?xml must be the very first thing (no whitespace) for a declaration.
  if (head[0] !== 0x3c || head[1] !== 0x3f || head[2] !== 0x78 || head[3] !== 0x6d || head[4] !== 0x6c) {
    return undefined;
  }
  let end = 5;
  while (end < head.length && end < SNIFF_BYTES && head[end] !== 0x3e) end++;
  const decl = String.fromCharCode(...head.subarray(0, end));
  return /\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(decl)?.[1];
}

/**
 * A streaming decoder. Malformed byte sequences become U+FFFD rather than
 * failing the file: the numbers and times we need are ASCII, and a stray
 * Latin-1 byte in a track name should not cost the user an activity.
 */
export function createDecoder(encoding: string): TextDecoder {
  return new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
}

/**
 * A safe, streaming XML front end over saxes for the track formats (GPX, TCX).
 *
 * Safety model:
 * - No DTD processing at all. A document with a DOCTYPE is refused before saxes
 *   reads it; saxes itself never reads <!ENTITY> declarations (its entity table
 *   holds only the five predefined entities, and any other `&name;` is its
 *   "undefined entity." error), so entity expansion cannot happen either way.
 * - Bounded memory: no DOM; saxes buffers only the token it is reading (a text
 *   node, a tag with its attributes, a comment), and a token longer than
 *   maxTokenChars stops the parse. Nesting deeper than maxDepth stops it too.
 * - Never throws: every outcome is data (XmlFailure). The first failure ends
 *   the parse on the spot, so no event reaches the caller after it (saxes'
 *   guesses after an error are not to be trusted, its README says).
 */
import type { TextDecoder } from 'node:util';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { createDecoder, sniffEncoding, SNIFF_BYTES } from './decode.js';

export interface XmlEvents {
  /**
   * An element opened (root has depth 1). `name` is the local name: any
   * namespace prefix is dropped, so `gpxtpx:hr` and `ns3:hr` are both `hr`.
   * Return a reason to stop parsing (e.g. the root is not the expected one).
   */
  open(name: string, attributes: Readonly<Record<string, string>>, depth: number): string | undefined;
  close(name: string, depth: number): void;
  /** Character data inside the root, CDATA included, entities already resolved. */
  text(text: string): void;
}

export interface XmlLimits {
  /** @default 64 */
  readonly maxDepth: number;
  /** Longest text node, tag (with attributes), comment or CDATA section, in characters. @default 1 MiB */
  readonly maxTokenChars: number;
  /** Bytes decoded and parsed per step. @default 64 KiB */
  readonly chunkBytes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxDepth: 64,
  maxTokenChars: 1 << 20,
  chunkBytes: 64 << 10,
};

export type XmlFailureKind = 'encoding' | 'dtd' | 'malformed' | 'limit' | 'refused';

export interface XmlFailure {
  readonly kind: XmlFailureKind;
  /** One line, with line:column where the parser knows it. */
  readonly reason: string;
}

export interface XmlStream {
  /** Feed the next bytes; false once the parse has failed (further bytes are ignored). */
  write(bytes: Uint8Array): boolean;
  /** The document is complete: saxes checks that the root element was closed. */
  end(): XmlFailure | undefined;
  /** Stop here without requiring a complete document (a file still being written). */
  endPartial(): XmlFailure | undefined;
  readonly failure: XmlFailure | undefined;
}

export const DTD_REFUSED = 'XML with a DTD is refused (entity expansion is unsafe)';

const DOCTYPE = '<!DOCTYPE';

/**
 * Thrown from a saxes callback to stop it at the first failure: saxes would
 * otherwise go on through the rest of the chunk, building an Error (with a
 * stack) for every later fault in a garbage file. The parser is not used again.
 */
const STOP: unique symbol = Symbol('stop parsing');

export function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

export function createXmlStream(events: XmlEvents, limits: Partial<XmlLimits> = {}): XmlStream {
  const { maxDepth, maxTokenChars, chunkBytes } = { ...DEFAULT_XML_LIMITS, ...limits };
  // xmlns off: prefixes are matched by local name, and an undeclared prefix
  // (common in hand-edited GPX extensions) is not a reason to lose a file.
  const parser = new SaxesParser({ xmlns: false, position: true });
  let failure: XmlFailure | undefined;
  let decoder: TextDecoder | undefined;
  let head: Uint8Array = new Uint8Array(0);
  let depth = 0;
  let inProlog = true;
  let prologTail = '';
  let lastEventAt = 0;
  let ended = false;

  const fail = (kind: XmlFailureKind, reason: string) => {
    failure ??= { kind, reason: oneLine(reason) };
  };
  /** Fail from inside a saxes callback and unwind out of parser.write at once. */
  const abort = (kind: XmlFailureKind, reason: string): never => {
    fail(kind, reason);
    throw STOP;
  };
  const where = () => `${parser.line}:${parser.column}`;

  parser.on('error', (err) => abort('malformed', `malformed XML: ${err.message}`));
  // Belt and braces: the prolog scan below normally refuses the DTD first.
  parser.on('doctype', () => abort('dtd', DTD_REFUSED));
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (failure) return;
    lastEventAt = parser.position;
    depth++;
    if (depth > maxDepth) abort('limit', `XML nested deeper than ${maxDepth} elements at ${where()}`);
    const stop = events.open(localName(tag.name), tag.attributes, depth);
    if (stop !== undefined) abort('refused', stop);
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    if (failure) return;
    lastEventAt = parser.position;
    events.close(localName(tag.name), depth);
    depth--;
  });
  const onText = (text: string) => {
    if (failure) return;
    lastEventAt = parser.position;
    if (depth > 0) events.text(text);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  /** Refuse a DOCTYPE in the prolog before saxes buffers its internal subset. */
  const scanProlog = (text: string) => {
    const probe = prologTail + text;
    const root = probe.search(/<[^?!]/);
    const prolog = root < 0 ? probe : probe.slice(0, root);
    if (prolog.includes(DOCTYPE)) {
      fail('dtd', DTD_REFUSED);
      return;
    }
    if (root >= 0) inProlog = false;
    else prologTail = probe.slice(-(DOCTYPE.length - 1));
  };

  const runParser = (step: () => unknown) => {
    try {
      step();
    } catch (error) {
      if (error !== STOP) throw error;
    }
  };

  const feedText = (text: string) => {
    if (failure || text.length === 0) return;
    if (inProlog) {
      scanProlog(text);
      if (failure) return;
    }
    runParser(() => parser.write(text));
    if (!failure && parser.position - lastEventAt > maxTokenChars) {
      fail('limit', `XML token longer than ${maxTokenChars} characters at ${where()}`);
    }
  };

  const chooseEncoding = (): boolean => {
    const choice = sniffEncoding(head);
    if (!choice.ok) {
      fail('encoding', choice.reason);
      return false;
    }
    decoder = createDecoder(choice.encoding);
    const pending = head;
    head = new Uint8Array(0);
    feedBytes(pending);
    return true;
  };

  const feedBytes = (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length && !failure; at += chunkBytes) {
      feedText(decoder!.decode(bytes.subarray(at, at + chunkBytes), { stream: true }));
    }
  };

  const write = (bytes: Uint8Array): boolean => {
    if (failure || ended) return false;
    let rest = bytes;
    if (!decoder) {
      // Hold the first bytes until the XML declaration (it ends at the first '>')
      // is in; copy no more than SNIFF_BYTES of a large write to do so.
      const take = bytes.subarray(0, SNIFF_BYTES - head.length);
      const joined = new Uint8Array(head.length + take.length);
      joined.set(head);
      joined.set(take, head.length);
      head = joined;
      if (head.length < SNIFF_BYTES && !head.includes(0x3e)) return true;
      if (!chooseEncoding()) return false;
      rest = bytes.subarray(take.length);
    }
    feedBytes(rest);
    return !failure;
  };

  const finish = (complete: boolean): XmlFailure | undefined => {
    if (ended) return failure;
    ended = true;
    if (!failure && !decoder && head.length > 0) chooseEncoding();
    if (complete && !failure) {
      if (decoder) feedText(decoder.decode());
      if (!failure) runParser(() => parser.close());
    }
    return failure;
  };

  return {
    write,
    end: () => finish(true),
    endPartial: () => finish(false),
    get failure() {
      return failure;
    },
  };
}

/** Parse a whole document held in memory (still in chunks, so memory stays flat). */
export function parseXml(bytes: Uint8Array, events: XmlEvents, limits?: Partial<XmlLimits>): XmlFailure | undefined {
  const stream = createXmlStream(events, limits);
  stream.write(bytes);
  return stream.end();
}

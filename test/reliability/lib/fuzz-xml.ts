/**
 * XML-aware mutations for GPX and TCX: unclosed and deeply nested elements, huge
 * attributes and text, invalid UTF-8, lying encoding declarations and BOMs, DTDs
 * and entities, garbage numbers and times. Text is handled as latin1 (one char per
 * byte) so that any byte can be written and nothing is re-encoded by accident.
 */
import type { Rng } from './fuzz-rng.js';

export type XmlMutator = (rng: Rng, text: string) => string | undefined;

export const toLatin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
export const fromLatin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** Offsets where `re` matches (at most `limit` of them). */
function matches(text: string, re: RegExp, limit = 20_000): number[] {
  const out: number[] = [];
  const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  for (let m = global.exec(text); m && out.length < limit; m = global.exec(text)) {
    out.push(m.index);
    if (m[0].length === 0) global.lastIndex++;
  }
  return out;
}

/** Just after the root element's start tag, else a random offset. */
function insideRoot(rng: Rng, text: string): number {
  const tags = matches(text, /<[A-Za-z]/);
  if (tags.length === 0) return rng.int(0, text.length + 1);
  const tag = rng.pick(tags.slice(0, 1 + rng.logInt(tags.length - 1)));
  const end = text.indexOf('>', tag);
  return end < 0 ? text.length : end + 1;
}

const insertAt = (text: string, at: number, what: string) => text.slice(0, at) + what + text.slice(at);

const unclosedTags: XmlMutator = (rng, text) => {
  const closes = matches(text, /<\/[^>]*>/);
  if (closes.length === 0) return undefined;
  let out = text;
  for (let k = 1 + rng.logInt(8); k > 0; k--) {
    const at = rng.pick(closes);
    if (at >= out.length) continue;
    const end = out.indexOf('>', at);
    // Remove the whole closing tag, or cut the document inside it.
    out = rng.chance(0.7) ? out.slice(0, at) + out.slice(end + 1) : out.slice(0, at + rng.int(1, Math.max(2, end - at)));
  }
  return out;
};

const hugeAttribute: XmlMutator = (rng, text) => {
  const at = insideRoot(rng, text) - 1;
  if (at < 0 || text[at] !== '>') return undefined;
  const size = rng.pick([1024, 100_000, 1_000_000, 1_100_000, 3_000_000]);
  const name = rng.chance(0.2) ? 'lat' : `fuzz${rng.int(0, 1000)}`;
  const slash = text[at - 1] === '/' ? 1 : 0;
  return insertAt(text, at - slash, ` ${name}="${rng.chance(0.5) ? 'x'.repeat(size) : '&amp;'.repeat(Math.ceil(size / 5))}"`);
};

/** Thousands of attributes on one element (duplicates too: a well-formedness error). */
const manyAttributes: XmlMutator = (rng, text) => {
  const at = insideRoot(rng, text) - 1;
  if (at < 0 || text[at] !== '>') return undefined;
  const n = 1 + rng.logInt(100_000);
  const dup = rng.chance(0.3);
  const attrs = Array.from({ length: n }, (_, i) => ` a${dup ? i % 7 : i}="${i}"`).join('');
  return insertAt(text, at - (text[at - 1] === '/' ? 1 : 0), attrs);
};

const deepNesting: XmlMutator = (rng, text) => {
  const depth = rng.pick([60, 63, 64, 65, 1000, 100_000]);
  const name = rng.pick(['a', 'trk', 'trkseg', 'trkpt', 'Trackpoint', 'extensions', 'x:y']);
  const close = rng.chance(0.6) ? `</${name}>`.repeat(depth) : '';
  return insertAt(text, insideRoot(rng, text), `<${name}>`.repeat(depth) + close);
};

const INVALID_UTF8 = ['\xff', '\xfe', '\xc0\xaf', '\xe0\x80\xaf', '\xed\xa0\x80', '\xf4\x90\x80\x80', '\xf8\x88\x80\x80\x80', '\xe2\x82', '\xc3', '\x80\x80\x80'];

const invalidUtf8: XmlMutator = (rng, text) => {
  let out = text;
  for (let k = 1 + rng.logInt(32); k > 0; k--) out = insertAt(out, rng.int(0, out.length + 1), rng.pick(INVALID_UTF8));
  // Sometimes a multi-byte sequence cut at the very end.
  return rng.chance(0.2) ? out + rng.pick(['\xe2\x82', '\xf0\x9f', '\xc3']) : out;
};

const ENCODINGS = ['UTF-16', 'utf-16le', 'UTF-16BE', 'ISO-8859-1', 'windows-1252', 'ebcdic-cp-us', 'x-user-defined', 'bogus-encoding', 'shift_jis', 'UTF-32', 'UTF-7', 'gb18030', '', 'utf-8"?><gpx', 'a'.repeat(2000)];

const lyingEncoding: XmlMutator = (rng, text) => {
  const declared = `<?xml version="1.0" encoding="${rng.pick(ENCODINGS)}"?>`;
  const decl = /^(\xef\xbb\xbf)?<\?xml[^>]*>/.exec(text);
  return decl ? declared + text.slice(decl[0].length) : declared + text;
};

const BOMS = ['\xef\xbb\xbf', '\xff\xfe', '\xfe\xff', '\xff\xfe\x00\x00', '\x00\x00\xfe\xff', '\xef\xbb'];

const bomsAndTranscoding: XmlMutator = (rng, text) => {
  const r = rng.float();
  if (r < 0.5) return rng.pick(BOMS) + text;
  // The whole document really in UTF-16, with or without a BOM, with or without the right declaration.
  const utf16 = Buffer.from(Buffer.from(text, 'latin1').toString('utf8'), 'utf16le');
  if (r < 0.75) {
    for (let i = 0; i + 1 < utf16.length; i += 2) [utf16[i], utf16[i + 1]] = [utf16[i + 1]!, utf16[i]!];
    return (rng.chance(0.5) ? '\xfe\xff' : '') + utf16.toString('latin1');
  }
  return (rng.chance(0.5) ? '\xff\xfe' : '') + utf16.toString('latin1');
};

const ENTITIES = ['&undefined;', '&#0;', '&#x0;', '&#xFFFE;', '&#x10FFFF;', '&#x110000;', '&#99999999999999999999;', '&#xD800;', '&amp', '&;', '&#;', '&lt;', '&#60;', '&quot;', '&x;&y;', '&#x3c;gpx&#x3e;'];

const entities: XmlMutator = (rng, text) => {
  let out = text;
  for (let k = 1 + rng.logInt(8); k > 0; k--) out = insertAt(out, insideRoot(rng, out), rng.pick(ENTITIES));
  return out;
};

export const BILLION_LAUGHS_DTD =
  '<!DOCTYPE gpx [\n<!ENTITY lol "lol">\n' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n') +
  '\n]>';

const DOCTYPES = [
  BILLION_LAUGHS_DTD,
  '<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE gpx [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
  '<!DOCTYPE gpx SYSTEM "http://127.0.0.1:9/evil.dtd">',
  '<!DOCTYPE gpx>',
  '<!DOCTYPE',
];

const doctype: XmlMutator = (rng, text) => {
  const dtd = rng.pick(DOCTYPES);
  const decl = /^(\xef\xbb\xbf)?<\?xml[^>]*>/.exec(text);
  const where = rng.float();
  const ref = rng.chance(0.5) ? '' : '&lol9;&xxe;';
  if (where < 0.5 && decl) return text.slice(0, decl[0].length) + dtd + text.slice(decl[0].length).replace(/<name>/, `<name>${ref}`);
  if (where < 0.7) return `<!-- c -->${dtd}${text}`;
  return insertAt(text, insideRoot(rng, text), dtd + ref);
};

const GARBAGE_VALUES = ['', 'NaN', 'Infinity', '-0', '1e999', '-1e999', '91', '-181', '0x10', '  12.5  ', '\xef\xbc\x91\xef\xbc\x92', '9999-99-99T99:99:99Z', '2024-02-30T25:61:61Z', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:01Z', '0000-00-00T00:00:00Z', '2024-01-01', '1'.repeat(5000), '1.', '.5', '+-1', '1_000'];

const garbageValues: XmlMutator = (rng, text) => {
  let out = text;
  const targets = [/(lat|lon)="[^"]*"/, /<(time|Time|ele|AltitudeMeters|LatitudeDegrees|LongitudeDegrees|Id|Value|DistanceMeters)>[^<]*</];
  for (let k = 1 + rng.logInt(64); k > 0; k--) {
    const re = rng.pick(targets);
    const at = matches(out, re, 2000);
    if (at.length === 0) continue;
    const pos = rng.pick(at);
    const m = re.exec(out.slice(pos))!;
    const value = rng.pick(GARBAGE_VALUES);
    const replaced = m[0].startsWith('<') ? m[0].replace(/>[^<]*</, `>${value}<`) : m[0].replace(/"[^"]*"/, `"${value}"`);
    out = out.slice(0, pos) + replaced + out.slice(pos + m[0].length);
  }
  return out;
};

const hugeText: XmlMutator = (rng, text) => {
  const size = rng.pick([100_000, 1_048_000, 1_048_577, 2_500_000]);
  const body = rng.chance(0.5) ? 'y'.repeat(size) : `<![CDATA[${'z'.repeat(size)}]]>`;
  return insertAt(text, insideRoot(rng, text), `<name>${body}</name>`);
};

const unterminatedConstructs: XmlMutator = (rng, text) =>
  insertAt(text, rng.int(0, text.length + 1), rng.pick(['<![CDATA[', '<!--', '<?pi ', '<', '</', '<!', '<![', ']]>', '-->', '<gpx', '<a b="']));

const nulBytes: XmlMutator = (rng, text) => {
  let out = text;
  for (let k = 1 + rng.logInt(16); k > 0; k--) out = insertAt(out, rng.int(0, out.length + 1), '\0'.repeat(1 + rng.logInt(64)));
  return out;
};

const rootSwap: XmlMutator = (rng, text) => {
  const roots = ['gpx', 'TrainingCenterDatabase', 'x:gpx', 'gpx:gpx', 'GPX', 'kml', ''];
  return text.replace(/<(\/?)(\w+:)?(gpx|TrainingCenterDatabase)\b/g, (_m, slash: string) => `<${slash}${rng.pick(roots)}`);
};

/** A track point (or any element) repeated many times: a larger file of the same shape. */
const repeatElement: XmlMutator = (rng, text) => {
  const m = /<(trkpt|Trackpoint)\b[\s\S]*?<\/\1>/.exec(text);
  if (!m) return undefined;
  const copies = 1 + rng.logInt(3000);
  return text.slice(0, m.index) + m[0].repeat(copies) + text.slice(m.index);
};

const lineEndings: XmlMutator = (rng, text) => {
  const r = rng.float();
  if (r < 0.33) return text.replace(/\n/g, '\r');
  if (r < 0.66) return text.replace(/\n/g, '\r\n');
  return text.replace(/>\s+</g, '><');
};

export const XML_MUTATORS: Readonly<Record<string, XmlMutator>> = {
  unclosedTags,
  hugeAttribute,
  manyAttributes,
  deepNesting,
  invalidUtf8,
  lyingEncoding,
  bomsAndTranscoding,
  entities,
  doctype,
  garbageValues,
  hugeText,
  unterminatedConstructs,
  nulBytes,
  rootSwap,
  repeatElement,
  lineEndings,
};

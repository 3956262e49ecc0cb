import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../testing/fit-generator-track.js';
import { createXmlStream, DTD_REFUSED, parseXml, type XmlEvents, type XmlLimits } from './stream.js';

const enc = new TextEncoder();

/** Records every event, so tests can assert what reached the caller. */
function recorder() {
  const seen: string[] = [];
  let text = '';
  const events: XmlEvents = {
    open(name, attributes, depth) {
      seen.push(`<${name}${Object.entries(attributes).map(([k, v]) => ` ${k}=${v}`).join('')}@${depth}`);
      return undefined;
    },
    close(name) {
      seen.push(`</${name}`);
    },
    text(t) {
      text += t;
    },
  };
  return { events, seen, text: () => text };
}

function parse(doc: string | Uint8Array, limits?: Partial<XmlLimits>) {
  const r = recorder();
  const failure = parseXml(typeof doc === 'string' ? enc.encode(doc) : doc, r.events, limits);
  return { failure, seen: r.seen, text: r.text() };
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/** Deterministic PRNG so a failing fuzz case can be replayed. */
const prng = mulberry32;

describe('DTDs and entities', () => {
  it('refuses billion laughs without expanding anything', () => {
    const lols = Array.from({ length: 9 }, (_, i) =>
      i === 0 ? '<!ENTITY lol0 "lol">' : `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`,
    ).join('\n');
    const doc = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${lols}\n]>\n<lolz>&lol8;</lolz>`;
    const { value } = timed(() => parse(doc));
    expect(value.failure).toEqual({ kind: 'dtd', reason: DTD_REFUSED });
    expect(value.seen).toEqual([]);
    expect(value.text).not.toContain('lol');
  });

  it('never reads an external entity (file:///etc/passwd)', () => {
    const doc =
      '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<gpx><name>&xxe;</name></gpx>';
    const { failure, text, seen } = parse(doc);
    expect(failure?.kind).toBe('dtd');
    expect(text).not.toMatch(/root:/);
    expect(seen).toEqual([]);
  });

  it('refuses parameter entities and external DTD subsets', () => {
    const withParameter =
      '<!DOCTYPE gpx [<!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe; <!ENTITY % x "<!ENTITY y \'z\'>"> %x;]><gpx>&y;</gpx>';
    expect(parse(withParameter).failure?.kind).toBe('dtd');
    const external = '<!DOCTYPE gpx SYSTEM "http://example.invalid/evil.dtd"><gpx/>';
    expect(parse(external).failure?.kind).toBe('dtd');
  });

  it('leaves an undeclared entity unexpanded: saxes knows only the five predefined ones', () => {
    const { failure, text } = parse('<gpx>&xxe;</gpx>');
    expect(failure?.kind).toBe('malformed');
    expect(failure?.reason).toMatch(/^malformed XML: 1:\d+: undefined entity/);
    expect(text).not.toMatch(/root:/);
  });

  it('resolves the predefined entities and character references', () => {
    const { failure, text } = parse('<a>&lt;&gt;&amp;&quot;&apos;&#233;&#x151;</a>');
    expect(failure).toBeUndefined();
    expect(text).toBe('<>&"\'éő');
  });

  it('finds a DOCTYPE split across writes', () => {
    const bytes = enc.encode('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>');
    const r = recorder();
    const stream = createXmlStream(r.events);
    for (const byte of bytes) stream.write(Uint8Array.of(byte));
    expect(stream.end()?.kind).toBe('dtd');
    expect(r.seen).toEqual([]);
  });

  it('refuses a DOCTYPE after the root element', () => {
    const { failure } = parse('<a><!DOCTYPE a [<!ENTITY b "c">]></a>');
    expect(failure?.reason).toMatch(/doctype/i);
  });

  it('bounds a huge internal subset even when the prolog scan is fooled', () => {
    // A "<x" inside a prolog comment ends the quick scan; saxes then buffers the
    // DTD as one token, which the token limit stops.
    const doc = `<!-- <x> --><!DOCTYPE a [${'<!ENTITY e "x">'.repeat(300_000)}]><a/>`;
    const { value } = timed(() => parse(doc));
    expect(['dtd', 'limit']).toContain(value.failure?.kind);
  });
});

describe('limits', () => {
  it('stops 100,000 nested elements at the depth cap, fast', () => {
    const n = 100_000;
    const doc = '<a>'.repeat(n) + '</a>'.repeat(n);
    const { value } = timed(() => parse(doc));
    expect(value.failure?.kind).toBe('limit');
    expect(value.failure?.reason).toMatch(/^XML nested deeper than 64 elements at 1:\d+$/);
    expect(value.seen.length).toBe(64);
  });

  it('stops an over-long text node, attribute or entity name', () => {
    const limits = { maxTokenChars: 10_000, chunkBytes: 4096 };
    expect(parse(`<a>${'x'.repeat(50_000)}</a>`, limits).failure?.reason).toMatch(/^XML token longer than 10000 characters at 1:\d+$/);
    expect(parse(`<a b="${'x'.repeat(50_000)}"/>`, limits).failure?.kind).toBe('limit');
    expect(parse(`<a>&${'x'.repeat(50_000)}</a>`, limits).failure?.kind).toBe('limit');
    expect(parse(`<a><!--${'x'.repeat(50_000)}--></a>`, limits).failure?.kind).toBe('limit');
    expect(parse(`<a ${Array.from({ length: 5000 }, (_, i) => `a${i}="1"`).join(' ')}/>`, limits).failure?.kind).toBe('limit');
  });

  it('has a default token limit of 1 MiB', () => {
    expect(parse(`<a>${'x'.repeat(900_000)}</a>`).failure).toBeUndefined();
    expect(parse(`<a>${'x'.repeat(1_200_000)}</a>`).failure?.kind).toBe('limit');
  });
});

describe('malformed documents', () => {
  it('gives the parser reason with line:column on one line', () => {
    const { failure } = parse('<gpx>\n  <trk>\n  </gpx>');
    expect(failure?.kind).toBe('malformed');
    expect(failure?.reason).toMatch(/^malformed XML: 3:\d+: unexpected close tag/);
    expect(failure?.reason).not.toContain('\n');
  });

  it('reports an unterminated document and an empty one', () => {
    expect(parse('<gpx><trk>').failure?.reason).toMatch(/^malformed XML: \d+:\d+: unclosed tag: trk/);
    expect(parse('').failure?.reason).toMatch(/root element/);
    expect(parse('   ').failure?.reason).toMatch(/root element/);
  });

  it('stops delivering events at the first error', () => {
    // saxes pops <b> (emitting its close) before it reports the stray </c>.
    const { seen, failure } = parse('<a><b></c><d/></a>');
    expect(failure?.reason).toMatch(/^malformed XML: 1:\d+: unexpected close tag/);
    expect(seen).toEqual(['<a@1', '<b@2', '</b']);
  });

  it('lets the caller refuse a document from its root', () => {
    const events: XmlEvents = { open: (name) => (name === 'gpx' ? undefined : `not a GPX (<${name}>)`), close() {}, text() {} };
    expect(parseXml(enc.encode('<kml><a/></kml>'), events)).toEqual({ kind: 'refused', reason: 'not a GPX (<kml>)' });
  });

  it('never throws on any truncation of a document', () => {
    const doc = enc.encode(
      '<?xml version="1.0" encoding="UTF-8"?>\n<gpx xmlns="http://www.topografix.com/GPX/1/1" a="&amp;"><!-- c --><trk><name><![CDATA[x]]></name><trkseg><trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>',
    );
    for (let cut = 0; cut <= doc.length; cut++) {
      const { failure } = parse(doc.subarray(0, cut));
      if (cut < doc.length - 1) expect(failure, `cut at ${cut}`).toBeDefined();
    }
    expect(parse(doc).failure).toBeUndefined();
  });

  it('never throws on random bytes or random markup', () => {
    const rand = prng(42);
    const alphabet = enc.encode('<>/="\'&;!?[]-abc:xml DOCTYPE ENTITY\n\t#x0123456789é');
    for (let round = 0; round < 300; round++) {
      const size = Math.floor(rand() * 2000);
      const bytes = new Uint8Array(size);
      const markup = round % 2 === 0;
      for (let i = 0; i < size; i++) {
        bytes[i] = markup ? alphabet[Math.floor(rand() * alphabet.length)]! : Math.floor(rand() * 256);
      }
      expect(() => parse(bytes, { chunkBytes: 1 + Math.floor(rand() * 100) })).not.toThrow();
    }
  });
});

describe('encodings', () => {
  it('honours a UTF-8 BOM with no encoding declaration', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('<?xml version="1.0"?><a>bom ő</a>')]);
    expect(parse(bytes)).toMatchObject({ failure: undefined, text: 'bom ő' });
  });

  it('decodes ISO-8859-1 and windows-1250 as declared', () => {
    const latin1 = new Uint8Array([...enc.encode('<?xml version="1.0" encoding="ISO-8859-1"?><a>caf'), 0xe9, ...enc.encode('</a>')]);
    expect(parse(latin1)).toMatchObject({ failure: undefined, text: 'café' });
    const cp1250 = new Uint8Array([...enc.encode("<?xml version='1.0' encoding='windows-1250'?><a>Cerkni"), 0xe8, 0x6b, 0x6f, ...enc.encode('</a>')]);
    expect(parse(cp1250)).toMatchObject({ failure: undefined, text: 'Cerkničko' });
  });

  it('decodes UTF-16 with a BOM, either byte order', () => {
    const doc = '<?xml version="1.0" encoding="UTF-16"?><a x="ő">žluť</a>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]);
    expect(parse(le)).toMatchObject({ failure: undefined, text: 'žluť' });
    const be = Buffer.from(le);
    be.swap16();
    expect(parse(be)).toMatchObject({ failure: undefined, text: 'žluť' });
  });

  it('treats a UTF-16 label on single-byte text as UTF-8', () => {
    expect(parse('<?xml version="1.0" encoding="UTF-16"?><a>ok</a>')).toMatchObject({ failure: undefined, text: 'ok' });
  });

  it('keeps a multi-byte character split across chunks whole', () => {
    expect(parse('<a>čćžš€😀</a>', { chunkBytes: 1 })).toMatchObject({ failure: undefined, text: 'čćžš€😀' });
  });

  it('refuses an encoding it cannot decode', () => {
    expect(parse('<?xml version="1.0" encoding="x-no-such"?><a/>').failure).toEqual({
      kind: 'encoding',
      reason: 'unsupported XML encoding "x-no-such"',
    });
  });

  it('replaces invalid UTF-8 rather than failing the file', () => {
    const bytes = new Uint8Array([...enc.encode('<a>x'), 0xff, ...enc.encode('y</a>')]);
    expect(parse(bytes)).toMatchObject({ failure: undefined, text: 'x\ufffdy' });
  });
});

describe('names and streaming', () => {
  it('passes local names whatever the prefix', () => {
    const { seen } = parse('<g:gpx xmlns:g="urn:x"><g:trk/><trk/><undeclared:hr/></g:gpx>');
    expect(seen).toEqual(['<gpx xmlns:g=urn:x@1', '<trk@2', '</trk', '<trk@2', '</trk', '<hr@2', '</hr', '</gpx']);
  });

  it('accepts an unterminated document with endPartial', () => {
    const r = recorder();
    const stream = createXmlStream(r.events);
    stream.write(enc.encode('<?xml version="1.0"?><gpx><trk><trkseg><trkpt lat="1"'));
    stream.write(enc.encode(' lon="2"></trkpt><trkpt lat='));
    expect(stream.endPartial()).toBeUndefined();
    expect(r.seen).toEqual(['<gpx@1', '<trk@2', '<trkseg@3', '<trkpt lat=1 lon=2@4', '</trkpt']);
  });

  it('waits for the XML declaration before choosing the encoding', () => {
    const r = recorder();
    const stream = createXmlStream(r.events);
    const bytes = new Uint8Array([...enc.encode('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), 0xe9, ...enc.encode('</a>')]);
    for (const byte of bytes) stream.write(Uint8Array.of(byte));
    expect(stream.end()).toBeUndefined();
    expect(r.text()).toBe('é');
  });
});

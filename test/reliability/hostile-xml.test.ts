/**
 * Hostile XML through `mmt-sync inspect --json` (the real CLI) and the GPX stream
 * classifier: entity expansion (billion laughs, quadratic blowup, parameter
 * entities), external entities and every other way XML can point at a file or a URL
 * (none may be read or fetched), 100,000-deep nesting, tokens over the size limit,
 * and a very large GPX: refused by the size cap, or parsed streaming in bounded memory.
 *
 * CI size: a 20 MB GPX (with a 16 MB cap). `MMT_SYNC_CHAOS=full`: 200 MB (default 64 MB cap).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { createGpxClassifier } from '../../src/formats/gpx/classify.js';
import { classifyFile } from '../../src/formats/classify.js';
import { makeHome, REPO, runCli } from '../helpers/cli.js';
import { BILLION_LAUGHS_DTD } from './lib/fuzz-xml.js';
import { FULL } from './lib/fuzz-report.js';
import { gpxTrack, tcxActivity, writeLargeGpx } from './lib/fuzz-seeds.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 'unused-secret' };
const CANARY = `mmt-sync-canary-${process.pid}-never-read`;
const DTD_REFUSED = /XML with a DTD is refused/;

let dir: string;
let canaryFile: string;
let canaryUrl: string;
/** Counts every request: nothing in a GPX may make mmt-sync fetch a URL. */
let server: Server;
let requests: string[] = [];
let origin: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mmt-sync-hostile-xml-'));
  canaryFile = join(dir, 'canary.txt');
  writeFileSync(canaryFile, `${CANARY}\nroot:x:0:0:canary:/root:/bin/sh\n`);
  canaryUrl = pathToFileURL(canaryFile).href;
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end(`<!ENTITY leak "${CANARY}">`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const TRACK = gpxTrack(5);
const withDoctype = (dtd: string, ref = '') => TRACK.replace('?>\n', `?>\n${dtd}\n`).replace('<name>Fuzz</name>', `<name>Fuzz${ref}</name>`);

interface Hostile {
  readonly file: string;
  readonly bytes: () => Uint8Array | string;
  readonly verdict: 'upload' | 'skip';
  readonly reason: RegExp;
}

const enc = (s: string) => new TextEncoder().encode(s);

function hostileFiles(): Hostile[] {
  const deep = (n: number) => `<?xml version="1.0"?><gpx version="1.1"><trk><trkseg>${'<trkpt lat="1" lon="1">'.repeat(1)}${'<extensions>'.repeat(n)}${'</extensions>'.repeat(n)}</trkpt></trkseg></trk></gpx>`;
  const quadratic = `<!DOCTYPE gpx [<!ENTITY a "${'a'.repeat(100_000)}">]>`;
  return [
    { file: 'billion-laughs.gpx', bytes: () => withDoctype(BILLION_LAUGHS_DTD, '&lol9;'), verdict: 'skip', reason: DTD_REFUSED },
    { file: 'billion-laughs.tcx', bytes: () => tcxActivity({ sport: 'Running', laps: [5] }).replace('?>\n', `?>\n${BILLION_LAUGHS_DTD.replace('gpx', 'TrainingCenterDatabase')}\n`).replace('<Id>', '<Id>&lol9;'), verdict: 'skip', reason: DTD_REFUSED },
    { file: 'quadratic-blowup.gpx', bytes: () => withDoctype(quadratic, '&a;'.repeat(10_000)), verdict: 'skip', reason: DTD_REFUSED },
    { file: 'xxe-passwd.gpx', bytes: () => withDoctype('<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>', '&x;'), verdict: 'skip', reason: DTD_REFUSED },
    { file: 'xxe-canary.gpx', bytes: () => withDoctype(`<!DOCTYPE gpx [<!ENTITY x SYSTEM "${canaryUrl}">]>`, '&x;'), verdict: 'skip', reason: DTD_REFUSED },
    { file: 'xxe-parameter-entity.gpx', bytes: () => withDoctype(`<!DOCTYPE gpx [<!ENTITY % p SYSTEM "${canaryUrl}"> %p; <!ENTITY % q SYSTEM "${origin}/param.dtd"> %q;]>`), verdict: 'skip', reason: DTD_REFUSED },
    { file: 'xxe-external-dtd.gpx', bytes: () => withDoctype(`<!DOCTYPE gpx SYSTEM "${origin}/evil.dtd">`, '&leak;'), verdict: 'skip', reason: DTD_REFUSED },
    { file: 'xxe-public-dtd.tcx', bytes: () => `<?xml version="1.0"?><!DOCTYPE TrainingCenterDatabase PUBLIC "-//X//Y" "${origin}/public.dtd"><TrainingCenterDatabase/>`, verdict: 'skip', reason: DTD_REFUSED },
    { file: 'xxe-after-comment-and-pi.gpx', bytes: () => `<?xml version="1.0"?><!-- <gpx> --><?pi <gpx> ?>\n<!DOCTYPE gpx [<!ENTITY x SYSTEM "${canaryUrl}">]><gpx><trk><name>&x;</name></trk></gpx>`, verdict: 'skip', reason: DTD_REFUSED },
    {
      file: 'xxe-utf16.gpx',
      bytes: () => new Uint8Array(Buffer.from(`\ufeff<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "${canaryUrl}">]><gpx><trk><name>&x;</name></trk></gpx>`, 'utf16le')),
      verdict: 'skip',
      reason: DTD_REFUSED,
    },
    {
      // The DOCTYPE keyword split across the parser's 64 KiB chunk boundary.
      file: 'xxe-across-chunks.gpx',
      bytes: () => {
        const head = '<?xml version="1.0"?><!--';
        const pad = 65_536 - head.length - '-->'.length - 4;
        return `${head}${' '.repeat(pad)}--><!DOCTYPE gpx [<!ENTITY x SYSTEM "${canaryUrl}">]><gpx><trk><name>&x;</name></trk></gpx>`;
      },
      verdict: 'skip',
      reason: DTD_REFUSED,
    },
    { file: 'undeclared-entity.gpx', bytes: () => TRACK.replace('<name>Fuzz</name>', '<name>&x;</name>'), verdict: 'skip', reason: /undefined entity/ },
    {
      // Not DTD-based: XInclude, a schema location and a stylesheet all name other documents. None is fetched or read.
      file: 'xinclude-schema-stylesheet.gpx',
      bytes: () =>
        TRACK.replace('?>\n', `?>\n<?xml-stylesheet type="text/xsl" href="${origin}/style.xsl"?>\n`)
          .replace('<gpx ', `<gpx xmlns:xi="http://www.w3.org/2001/XInclude" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 ${origin}/gpx.xsd" `)
          .replace('<name>Fuzz</name>', `<name>Fuzz<xi:include href="${canaryUrl}" parse="text"/><xi:include href="${origin}/include.xml"/></name>`),
      verdict: 'upload',
      reason: /track with 5 timed points/,
    },
    { file: 'deep-100k.gpx', bytes: () => `<gpx>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</gpx>`, verdict: 'skip', reason: /nested deeper than 64 elements/ },
    { file: 'deep-100k-in-trkpt.gpx', bytes: () => deep(100_000), verdict: 'skip', reason: /nested deeper than 64 elements/ },
    { file: 'deep-100k-unclosed.tcx', bytes: () => `<TrainingCenterDatabase>${'<Activities>'.repeat(100_000)}`, verdict: 'skip', reason: /nested deeper than 64 elements/ },
    { file: 'huge-attribute.gpx', bytes: () => TRACK.replace('<gpx ', `<gpx x="${'x'.repeat(3 << 20)}" `), verdict: 'skip', reason: /XML token longer than/ },
    { file: 'many-attributes.gpx', bytes: () => TRACK.replace('<gpx ', `<gpx ${Array.from({ length: 200_000 }, (_, i) => `a${i}="1"`).join(' ')} `), verdict: 'skip', reason: /XML token longer than/ },
    { file: 'huge-text.gpx', bytes: () => TRACK.replace('<name>Fuzz</name>', `<name>${'n'.repeat(3 << 20)}</name>`), verdict: 'skip', reason: /XML token longer than/ },
    { file: 'huge-cdata.tcx', bytes: () => `<TrainingCenterDatabase><![CDATA[${'c'.repeat(3 << 20)}]]></TrainingCenterDatabase>`, verdict: 'skip', reason: /XML token longer than/ },
    { file: 'huge-comment.gpx', bytes: () => `<gpx><!--${'-'.repeat(10)}${'c'.repeat(3 << 20)}--></gpx>`, verdict: 'skip', reason: /XML token longer than|malformed/ },
    { file: 'unterminated-comment.gpx', bytes: () => `<gpx><!--${'c'.repeat(3 << 20)}`, verdict: 'skip', reason: /XML token longer than/ },
    { file: 'wide-1m-siblings.gpx', bytes: () => `<gpx>${'<wpt lat="1" lon="2"/>'.repeat(1_000_000)}</gpx>`, verdict: 'skip', reason: /no recorded track/ },
    { file: 'invalid-utf8-in-name.gpx', bytes: () => new Uint8Array(Buffer.concat([Buffer.from(TRACK.split('Fuzz')[0]!), Buffer.from([0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from(TRACK.split('Fuzz')[1]!)])), verdict: 'upload', reason: /track with 5 timed points/ },
    { file: 'nul-bytes.gpx', bytes: () => TRACK.replace('<trk>', '<trk>\0\0\0'), verdict: 'skip', reason: /malformed XML/ },
  ];
}

const built = new Map<string, Uint8Array>();
const bytesOf = (h: Hostile): Uint8Array => {
  let bytes = built.get(h.file);
  if (!bytes) {
    const b = h.bytes();
    bytes = typeof b === 'string' ? enc(b) : b;
    built.set(h.file, bytes);
  }
  return bytes;
};

describe('hostile XML', () => {
  it('classifyFile: every hostile document gets its verdict and reason; nothing is expanded, read or fetched', () => {
    for (const h of hostileFiles()) {
      const activity = classifyFile(h.file, bytesOf(h));
      expect(activity.verdict, `${h.file}: ${activity.reason}`).toBe(h.verdict);
      expect(activity.reason, h.file).toMatch(h.reason);
      expect(JSON.stringify(activity), h.file).not.toContain(CANARY);
    }
    expect(requests).toEqual([]);
  });

  it('the same files through `mmt-sync inspect --json`: verdicts as above, /etc/passwd and the canary never in the output, no request made', async () => {
    const files = hostileFiles();
    for (const h of files) writeFileSync(join(dir, h.file), bytesOf(h));
    const home = makeHome(API);
    const result = await runCli(['inspect', '--json', ...files.map((h) => join(dir, h.file))], home.env);
    expect(result.code, result.stderr).toBe(0);
    const out = `${result.stdout}\n${result.stderr}`;
    expect(out).not.toContain('root:');
    expect(out).not.toContain(CANARY);
    const results = JSON.parse(result.stdout) as Array<{ file: string; verdict: string; reason: string }>;
    expect(results.map((r) => r.file)).toEqual(files.map((h) => join(dir, h.file)));
    for (const [i, h] of files.entries()) {
      expect(results[i]!.verdict, `${h.file}: ${results[i]!.reason}`).toBe(h.verdict);
      expect(results[i]!.reason, h.file).toMatch(h.reason);
      expect(results[i]!.reason).not.toMatch(/[\r\n]/);
    }
    expect(requests).toEqual([]);
  });

  it('a DOCTYPE fed to the stream classifier a few bytes at a time is still refused before anything is expanded', () => {
    const text = enc(withDoctype(`<!DOCTYPE gpx [<!ENTITY x SYSTEM "${canaryUrl}">]>`, '&x;'));
    for (const step of [1, 3, 7, 64]) {
      const classifier = createGpxClassifier();
      for (let at = 0; at < text.length; at += step) classifier.write(text.subarray(at, at + step));
      const activity = classifier.finish();
      expect(activity.verdict).toBe('skip');
      expect(activity.reason).toMatch(DTD_REFUSED);
    }
  });
});

const LARGE_MB = FULL ? 200 : 20;
/** The CI-size file must be over the cap too: the default 64 MB cap, or 16 MB at CI size. */
const CAP_MB = FULL ? 64 : 16;
const CAP_YAML = FULL ? '' : `intake:\n  maxFileMB: ${CAP_MB}\n`;
/**
 * Node, the classifier and saxes' buffers: far below the file, whatever its size
 * (measured: 87 MB for 20 MB and for 200 MB, in 64 KiB reads).
 */
const STREAM_RSS_BOUND_MB = 128;

/** Classifies a GPX file streaming (64 KiB reads) in a child with a small heap; reports its peak RSS. */
const STREAM_SCRIPT = `
import { createReadStream } from 'node:fs';
import { createGpxClassifier } from ${JSON.stringify(pathToFileURL(join(REPO, 'dist/src/formats/gpx/classify.js')).href)};
const classifier = createGpxClassifier();
for await (const chunk of createReadStream(process.argv[1], { highWaterMark: 1 << 16 })) classifier.write(chunk);
const a = classifier.finish();
process.stdout.write(JSON.stringify({ verdict: a.verdict, reason: a.reason, points: a.points, durationS: a.durationS, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
`;

function streamInChild(path: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=64', '--input-type=module', '-e', STREAM_SCRIPT, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether this filesystem updates atime on a read of a file whose atime is older than its mtime (relatime). */
function atimeRecordsReads(probe: string): boolean {
  writeFileSync(probe, 'probe');
  const old = new Date('2001-01-01T00:00:00Z');
  utimesSync(probe, old, new Date());
  readFileSync(probe);
  return statSync(probe).atimeMs > old.getTime();
}

describe(`a ${LARGE_MB} MB GPX`, () => {
  let big: string;
  let generated: { points: number; bytes: number };
  beforeAll(() => {
    big = join(mkdtempSync(join(tmpdir(), 'mmt-sync-large-gpx-')), 'large.gpx');
    generated = writeLargeGpx(big, LARGE_MB * 1_000_000);
  }, 120_000);
  afterAll(() => rmSync(join(big, '..'), { recursive: true, force: true }));

  it(`is refused by the ${CAP_MB} MB cap without being read: inspect and scan`, async () => {
    const recordsReads = atimeRecordsReads(join(dir, 'atime-probe'));
    const old = new Date('2001-01-01T00:00:00Z');
    utimesSync(big, old, new Date());
    const home = makeHome(API, `${CAP_YAML || 'intake:\n'}  settleS: 0.1\n  backfill: all\n`);

    const inspect = await runCli(['inspect', '--json', big], home.env);
    expect(inspect.code, inspect.stderr).toBe(0);
    const [result] = JSON.parse(inspect.stdout) as Array<{ verdict: string; reason: string }>;
    expect(result!.verdict).toBe('skip');
    expect(result!.reason).toBe(`file is larger than the ${CAP_MB} MB cap`);

    const scan = await runCli(['scan', '--json', '--folder', join(big, '..')], home.env);
    expect(scan.code, scan.stderr).toBe(0);
    const report = JSON.parse(scan.stdout) as { refused: number; problems: Array<{ path: string; reason: string }> };
    expect(report.refused).toBe(1);
    expect(report.problems).toEqual([{ path: big, reason: `file is larger than the ${CAP_MB} MB cap` }]);
    const journal = Journal.open(home.stateDir);
    try {
      const [row] = journal.list();
      expect(row).toMatchObject({ relPath: 'large.gpx', state: 'skipped', sha256: null });
    } finally {
      journal.close();
    }
    if (recordsReads) expect(statSync(big).atimeMs, 'the file was read').toBe(old.getTime());
  }, 60_000);

  it(`parses streaming in a child with a 64 MB heap: every point counted, peak RSS under ${STREAM_RSS_BOUND_MB} MB`, async () => {
    const result = await streamInChild(big);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { verdict: string; reason: string; points: number; maxRssMB: number };
    console.log(`${LARGE_MB} MB GPX (${generated.points} points) streamed: ${out.verdict}, peak RSS ${out.maxRssMB.toFixed(1)} MB`);
    expect(out.verdict, out.reason).toBe('upload');
    expect(out.points).toBe(generated.points);
    expect(out.maxRssMB).toBeLessThan(STREAM_RSS_BOUND_MB);
  }, FULL ? 300_000 : 60_000);
});

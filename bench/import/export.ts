/**
 * A generated Strava bulk export: `activities/<id>.fit.gz` members (stored, as the gzip is
 * the compression) and an `activities.csv` naming each, written to disk as one zip by yazl
 * while it is generated, so the bench process never holds the whole export.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import { generateFitActivity } from '../../src/testing/fit-generator.js';

export interface GeneratedExport {
  readonly path: string;
  readonly count: number;
  /** Decompressed bytes of every activity. */
  readonly fitBytes: number;
  readonly zipBytes: number;
  readonly sha256s: ReadonlySet<string>;
}

const FIRST_START = Date.parse('2019-01-01T06:00:00Z');
const FIRST_SERIAL = 3_800_000_000;

/** `count` activities of `durationS` seconds each (1 record/s: ~23 bytes a second of FIT), one a day. */
export async function writeStravaExport(path: string, count: number, durationS: number): Promise<GeneratedExport> {
  const zip = new yazl.ZipFile();
  const out = createWriteStream(path);
  const written = new Promise<void>((resolve, reject) => {
    out.on('close', resolve).on('error', reject);
    zip.outputStream.on('error', reject);
  });
  zip.outputStream.pipe(out);
  const csv = ['Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Filename'];
  const sha256s = new Set<string>();
  let fitBytes = 0;
  for (let i = 0; i < count; i++) {
    const start = new Date(FIRST_START + i * 86_400_000);
    const sport = i % 3 === 2 ? 'cycling' : 'running';
    const bytes = generateFitActivity({ start, durationS, serial: FIRST_SERIAL + i, seed: i + 1, sport });
    fitBytes += bytes.length;
    sha256s.add(createHash('sha256').update(bytes).digest('hex'));
    const name = `activities/${1000 + i}.fit.gz`;
    zip.addBuffer(gzipSync(bytes), name, { compress: false });
    csv.push(`${1000 + i},${start.toISOString().slice(0, 19).replace('T', ' ')},Generated ${sport} ${i},${sport === 'running' ? 'Run' : 'Ride'},,${durationS},0,${name}`);
    // Let yazl write what it has: the export is never whole in memory.
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  zip.addBuffer(Buffer.from(csv.join('\n')), 'activities.csv');
  zip.end();
  await written;
  return { path, count, fitBytes, zipBytes: out.bytesWritten, sha256s };
}

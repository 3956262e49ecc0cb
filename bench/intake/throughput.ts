/**
 * Classification throughput on the corpus of real device files, side by side with full
 * decodes by the two JavaScript FIT libraries and, when installed, gpsbabel.
 *
 * The comparison runs on the FIT files both libraries decode without an error: on a
 * damaged file a decoder that stops early would look fast for the wrong reason.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder, Stream } from '@garmin/fitsdk';
import FitParser from 'fit-file-parser';
import { classifyFile } from '../../src/formats/classify.js';
import { packageRoot } from '../../src/package-root.js';
import { corpusDir } from '../lib/paths.js';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { consume, MB, median, round, timePass } from '../lib/stats.js';

/** Verdicts must come at least this many times faster than the fastest JS full decode. */
const TARGET_RATIO = 5;
const WARMUPS = 2;
const REPETITIONS = 7;
/** A timed sample repeats its pass for at least this long, so fast passes are not timer noise. */
const MIN_SAMPLE_MS = 200;
const GPSBABEL_REPETITIONS = 5;

interface CorpusFile {
  readonly name: string;
  /** A Buffer because fit-file-parser wants one; it is a Uint8Array for everyone else. */
  readonly bytes: Buffer<ArrayBuffer>;
}

interface Rate {
  readonly files: number;
  readonly MB: number;
  readonly medianMs: number;
  readonly MBps: number;
  readonly filesPerS: number;
}

type Pass = (files: readonly CorpusFile[]) => unknown;

const classifyPass: Pass = (files) => {
  let points = 0;
  for (const f of files) points += classifyFile(f.name, f.bytes).points;
  consume(points);
};

const sdkPass: Pass = (files) => {
  let records = 0;
  for (const f of files) records += new Decoder(Stream.fromBuffer(f.bytes)).read().messages.recordMesgs?.length ?? 0;
  consume(records);
};

const fitParserPass: Pass = async (files) => {
  let records = 0;
  for (const f of files) records += (await new FitParser({ mode: 'list' }).parseAsync(f.bytes)).records?.length ?? 0;
  consume(records);
};

function load(dir: string, pattern: RegExp): CorpusFile[] {
  return readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) as Buffer<ArrayBuffer> }));
}

const bytesOf = (files: readonly CorpusFile[]): number => files.reduce((sum, f) => sum + f.bytes.length, 0);

function rate(files: readonly CorpusFile[], samplesMs: readonly number[]): Rate {
  const ms = median(samplesMs);
  const bytes = bytesOf(files);
  return { files: files.length, MB: round(bytes / MB, 3), medianMs: round(ms, 3), MBps: round(bytes / MB / (ms / 1000), 1), filesPerS: round(files.length / (ms / 1000), 0) };
}

/** Why a file is left out of the comparison, or undefined when both libraries decode it. */
async function decodeFailure(file: CorpusFile): Promise<string | undefined> {
  const { errors } = new Decoder(Stream.fromBuffer(file.bytes)).read();
  if (errors.length) return `@garmin/fitsdk: ${errors[0]!.message}`;
  try {
    await new FitParser({ mode: 'list' }).parseAsync(file.bytes);
  } catch (error) {
    return `fit-file-parser: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

function versionOf(pkg: string): string {
  const json = JSON.parse(readFileSync(join(packageRoot(), 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string };
  return `${pkg}@${json.version}`;
}

export async function measureThroughput(): Promise<Check> {
  const dir = corpusDir();
  const fit = load(join(dir, 'fit'), /\.fit$/i);
  const gpx = load(join(dir, 'gpx'), /\.gpx$/i);
  const all = [...fit, ...gpx];
  const common: CorpusFile[] = [];
  const excluded: Array<{ file: string; reason: string }> = [];
  for (const file of fit) {
    const reason = await decodeFailure(file);
    if (reason) excluded.push({ file: file.name, reason });
    else common.push(file);
  }
  progress(`throughput: ${all.length} corpus files, ${common.length} FIT files both libraries decode`);

  const sdk = versionOf('@garmin/fitsdk');
  const fitParser = versionOf('fit-file-parser');
  const runs: Array<{ key: string; files: readonly CorpusFile[]; pass: Pass }> = [
    { key: 'classify:all', files: all, pass: classifyPass },
    { key: 'classify:fit', files: fit, pass: classifyPass },
    { key: 'classify:gpx', files: gpx, pass: classifyPass },
    { key: 'classify:common', files: common, pass: classifyPass },
    { key: `${sdk}:common`, files: common, pass: sdkPass },
    { key: `${fitParser}:common`, files: common, pass: fitParserPass },
  ];
  for (let i = 0; i < WARMUPS; i++) for (const run of runs) await run.pass(run.files);
  const samples = new Map<string, number[]>(runs.map((r) => [r.key, []]));
  // Rounds interleave the engines, so a slow patch of the machine hits them all alike.
  for (let i = 0; i < REPETITIONS; i++) {
    for (const run of runs) samples.get(run.key)!.push(await timePass(() => run.pass(run.files), MIN_SAMPLE_MS));
  }
  const rates = new Map(runs.map((r) => [r.key, rate(r.files, samples.get(r.key)!)]));
  const get = (key: string): Rate => rates.get(key)!;

  const ours = get('classify:common');
  const decoders = { [sdk]: get(`${sdk}:common`), [fitParser]: get(`${fitParser}:common`) };
  const [fastestName, fastest] = Object.entries(decoders).sort((a, b) => a[1].medianMs - b[1].medianMs)[0]!;
  const ratio = fastest.medianMs / ours.medianMs;
  progress(`throughput: classify ${ours.MBps} MB/s, fastest full decode ${fastestName} ${fastest.MBps} MB/s: ${round(ratio, 1)}x`);

  return {
    id: 'classify-throughput',
    what:
      'classifyFile(name, bytes) on files already in memory, against full decodes by @garmin/fitsdk (Decoder.read, default options) ' +
      "and fit-file-parser (mode 'list') on the FIT files both decode cleanly; median of repeated passes after warm-up",
    target: `verdict >= ${TARGET_RATIO}x faster than the fastest JS full decode`,
    pass: ratio >= TARGET_RATIO,
    headline: `${round(ratio, 1)}x (${ours.MBps} vs ${fastest.MBps} MB/s)`,
    numbers: {
      unit: 'MB = 10^6 bytes; medianMs is one pass over the whole set',
      warmups: WARMUPS,
      repetitions: REPETITIONS,
      ratioToFastestDecode: round(ratio, 2),
      fastestDecoder: fastestName,
      classify: { allCorpus: get('classify:all'), fit: get('classify:fit'), gpx: get('classify:gpx'), comparedFit: ours },
      decoders,
      gpsbabel: measureGpsbabel(fit, common),
      compared: { files: common.length, MB: round(bytesOf(common) / MB, 3), excluded },
    },
  };
}

function runGpsbabel(args: readonly string[]): { ms: number; ok: boolean } {
  const start = performance.now();
  const child = spawnSync('gpsbabel', args, { stdio: 'ignore' });
  return { ms: performance.now() - start, ok: child.status === 0 };
}

/**
 * gpsbabel's wall time per FIT file, process start included: how long a pipeline that
 * shells out to it would wait. The process start alone (`gpsbabel -V`) is given beside it.
 */
function measureGpsbabel(fit: readonly CorpusFile[], common: readonly CorpusFile[]): unknown {
  const probe = spawnSync('gpsbabel', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'not installed';
  const version = probe.stdout.trim();
  const dir = join(corpusDir(), 'fit');
  const startup: number[] = [];
  for (let i = 0; i <= GPSBABEL_REPETITIONS; i++) {
    const { ms } = runGpsbabel(['-V']);
    if (i > 0) startup.push(ms);
  }
  const perFile = new Map<string, number>();
  const failed: string[] = [];
  for (const file of fit) {
    const times: number[] = [];
    let ok = true;
    for (let i = 0; i <= GPSBABEL_REPETITIONS; i++) {
      const run = runGpsbabel(['-i', 'garmin_fit', '-f', join(dir, file.name), '-o', 'gpx', '-F', '/dev/null']);
      ok &&= run.ok;
      if (i > 0) times.push(run.ms);
    }
    perFile.set(file.name, median(times));
    if (!ok) failed.push(file.name);
  }
  const total = (files: readonly CorpusFile[]) => {
    const ms = files.reduce((sum, f) => sum + perFile.get(f.name)!, 0);
    const bytes = bytesOf(files);
    return { files: files.length, MB: round(bytes / MB, 3), totalMs: round(ms, 1), MBps: round(bytes / MB / (ms / 1000), 2), filesPerS: round(files.length / (ms / 1000), 0) };
  };
  progress(`throughput: gpsbabel ${round(median([...perFile.values()]), 1)} ms a file (process start ${round(median(startup), 1)} ms)`);
  return {
    version,
    command: 'gpsbabel -i garmin_fit -f FILE -o gpx -F /dev/null, one process per file',
    medianMsPerFile: round(median([...perFile.values()]), 2),
    processStartMs: round(median(startup), 2),
    processStartNote: 'median wall time of `gpsbabel -V` spawned from Node: the fixed cost in every per-file figure',
    comparedFit: total(common),
    allFit: total(fit),
    exitedNonZero: failed,
  };
}

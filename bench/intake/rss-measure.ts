/**
 * Child process of the RSS benchmark: reads one FIT file and classifies it, and reports
 * the process's resident set. Imports nothing but the classifier, so the figure is what
 * the intake itself costs on top of a bare Node process.
 *
 * Usage: node rss-measure.js FILE   (prints one JSON line)
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { classifyFile } from '../../src/formats/classify.js';

const path = process.argv[2];
if (!path) throw new Error('Expected the FIT file to classify, got none');

const samples: number[] = [];
const sample = (): void => {
  samples.push(process.memoryUsage().rss);
};
sample();
const baseline = samples[0]!;
// Catches whatever happens between awaits; the kernel's high-water mark (maxRSS) catches
// the synchronous classification, which a timer cannot interrupt.
const timer = setInterval(sample, 1);
const bytes = new Uint8Array(await readFile(path));
sample();
const start = performance.now();
const activity = classifyFile(basename(path), bytes);
const classifyMs = performance.now() - start;
sample();
clearInterval(timer);
const maxRss = process.resourceUsage().maxRSS * 1024;

process.stdout.write(
  `${JSON.stringify({
    baselineRss: baseline,
    sampledPeakRss: Math.max(...samples),
    maxRss,
    samples: samples.length,
    classifyMs,
    verdict: activity.verdict,
    reason: activity.reason,
    points: activity.points,
    problems: activity.problems.length,
    repairedBytes: activity.repaired?.bytes.length ?? 0,
  })}\n`,
);

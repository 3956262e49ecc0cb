/**
 * Child process of the RSS benchmark: writes a 24-hour FIT activity (86,400 one-second
 * records), a copy with one byte corrupted in the middle and a copy cut short at 80 %
 * (its summary lost: the repair rebuilds it). Generating runs here, not in the measuring
 * process, so the generator's memory never counts against the classifier.
 *
 * Usage: node rss-generate.js DIR   (prints one JSON line: the two paths and their size)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFitActivity } from '../../src/testing/fit-generator.js';

const dir = process.argv[2];
if (!dir) throw new Error('Expected a directory to write the 24-hour FIT files into, got none');

const DAY_S = 86_400;
const bytes = generateFitActivity({ start: new Date('2024-06-01T04:00:00Z'), durationS: DAY_S, recordIntervalS: 1 });
const clean = join(dir, 'day-clean.fit');
writeFileSync(clean, bytes);
const cut = join(dir, 'day-cut.fit');
writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
const middle = bytes.length >> 1;
bytes[middle] = bytes[middle]! ^ 0xff;
const corrupt = join(dir, 'day-corrupt.fit');
writeFileSync(corrupt, bytes);
process.stdout.write(`${JSON.stringify({ clean, corrupt, cut, bytes: bytes.length, records: DAY_S, corruptedOffset: middle })}\n`);

/**
 * Every FIT row of the shared corpus's EXPECTED.tsv gets its expected verdict, and the
 * reason names the same fault. The corpus lives outside the repo (/work/shared/corpus).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sdkDecode } from '../../testing/fit-reference.js';
import { classifyFit } from './classify.js';
import { scanFit } from './scan.js';

/**
 * Rows whose reason our rules word differently from EXPECTED.tsv (read-only, shared), the
 * outcome unchanged. Issue 14: an intact activity with no session and no lap still goes up
 * as it is, but its reason says it has no summary.
 */
const REASON_OVERRIDES: Readonly<Record<string, { readonly reason: string; readonly why: string }>> = {
  'fit/DeveloperData.fit': { reason: 'activity without a summary', why: 'file_id, developer data and 3 records: no session, no lap' },
};

const CORPUS = new URL('../../../../shared/corpus/', import.meta.url);

const rows = readFileSync(new URL('EXPECTED.tsv', CORPUS), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.startsWith('fit/'))
  .map((line) => {
    const [file = '', outcome = '', why = ''] = line.split('\t');
    return { file, outcome, why };
  });

const read = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, CORPUS)));

/** The fault words of EXPECTED.tsv's "why", at least one of which our reason must use. */
const FAULTS = ['CRC mismatch', 'truncated', 'corrupt header', 'bad record'];

describe('EXPECTED.tsv, FIT rows', () => {
  it('lists every FIT file of the corpus', () => {
    const files = readdirSync(new URL('fit/', CORPUS)).filter((f) => /\.fit$/i.test(f));
    expect(rows.map((r) => r.file).sort()).toEqual(files.map((f) => `fit/${f}`).sort());
  });

  it.each(rows)('$file: $outcome', ({ file, outcome, why }) => {
    const bytes = read(file);
    const a = classifyFit(bytes);
    expect(a.verdict).toBe(outcome);
    expect(a.format).toBe('fit');
    expect(a.reason).not.toBe('');

    if (outcome === 'upload') {
      expect(a.problems).toEqual([]);
      expect(a.reason).toBe(REASON_OVERRIDES[file]?.reason ?? 'complete activity file');
      expect(a.repaired).toBeUndefined();
      expect(a.kind).toBe('activity');
      expect(a.points).toBeGreaterThan(0);
      expect(a.identity).toMatch(/^fit:/);
    }

    if (outcome === 'skip') {
      // "not an activity (file type: monitoring)" also covers monitoring_b, monitoring_a, …
      expect(a.reason).toContain(why.replace(/\)$/, ''));
      expect(a.repaired).toBeUndefined();
    }

    if (outcome === 'repair') {
      expect(a.problems.length).toBeGreaterThan(0);
      const named = FAULTS.filter((fault) => why.includes(fault));
      expect(named.length).toBeGreaterThan(0);
      expect(named.some((fault) => a.reason.includes(fault))).toBe(true);
      if (why.startsWith('second chained')) expect(a.reason).toMatch(/^second chained FIT file/);
      const repaired = a.repaired!;
      // Every damaged corpus activity can be repaired as FIT: GPX is only the fallback.
      expect(repaired.format).toBe('fit');
      expect(classifyFit(repaired.bytes)).toMatchObject({ verdict: 'upload', identity: a.identity, reason: 'complete activity file' });
      if (why.includes('chained')) {
        // The intact first file of a chain, as it is.
        expect(bytes.subarray(0, repaired.bytes.length)).toEqual(repaired.bytes);
      } else {
        // Everything that decodes, less the garbled messages the reason owns up to, in a file the SDK reads whole.
        const decoded = sdkDecode(repaired.bytes);
        expect(decoded.errors).toEqual([]);
        const garbled = Number(/(\d+) garbled messages? left out/.exec(a.reason)?.[1] ?? 0);
        expect(scanFit(repaired.bytes).records).toBeGreaterThanOrEqual(a.points - garbled);
      }
    }
  });
});

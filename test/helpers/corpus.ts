import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from './cli.js';

export interface ExpectedRow {
  readonly file: string;
  readonly outcome: 'upload' | 'repair' | 'skip';
  readonly why: string;
}

/** ../shared/corpus/EXPECTED.tsv: the verdict every real file must get. */
export function expectedRows(): ExpectedRow[] {
  const lines = readFileSync(join(CORPUS, 'EXPECTED.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file, outcome, why] = line.split('\t');
    return { file: file!, outcome: outcome as ExpectedRow['outcome'], why: why ?? '' };
  });
}

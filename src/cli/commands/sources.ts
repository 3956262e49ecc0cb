import { existsSync } from 'node:fs';
import { gatherSources } from '../../intake/gather-sources.js';
import { Journal } from '../../journal/journal.js';
import { silentLogger } from '../../log.js';
import { sourcesInEffect, type SourceInEffect } from '../../sources/in-effect.js';
import { commandContext, type GlobalOptions } from '../context.js';
import type { Io } from '../io.js';

export type SourcesOptions = GlobalOptions;

/** Every source in effect, why it was found, whether it is there, how much of it is journaled. Writes nothing. */
export async function runSources(options: SourcesOptions, io: Io): Promise<SourceInEffect[]> {
  const { loaded, stateDir } = await commandContext(options, io.log);
  // The listing says what gathering found; its log lines would say it twice.
  const found = await gatherSources(loaded.config, [], silentLogger);
  const journal = Journal.openReadOnly(stateDir);
  let listed: SourceInEffect[];
  try {
    const view = journal ? { counts: journal.fileCountsBySource(), known: journal.knownSources() } : { counts: new Map<string, number>(), known: [] };
    listed = sourcesInEffect(found, view, existsSync);
  } finally {
    journal?.close();
  }
  if (options.json) io.out(JSON.stringify(listed, null, 2));
  else io.out(listed.length ? listed.map(describe).join('\n') : 'no sources: configure folders under sources:, or plug in a watch');
  return listed;
}

function describe(s: SourceInEffect): string {
  const state = s.present ? 'present' : s.kind === 'device' ? 'not connected' : 'missing';
  const overrides = [s.activityType, s.status].filter(Boolean).join(', ');
  const lines = [
    `${s.label} — ${s.kind}, ${state}, ${s.journaled} file${s.journaled === 1 ? '' : 's'} journaled${s.lastScan ? `, last scan ${s.lastScan}` : ''}`,
    ...(s.root ? [`  ${s.root}`] : []),
    ...(s.foundBy ? [`  found by: ${s.foundBy}`] : []),
    ...(overrides ? [`  uploads as: ${overrides}`] : []),
    ...s.behaviour.map((b) => `  ${b}`),
  ];
  return lines.join('\n');
}

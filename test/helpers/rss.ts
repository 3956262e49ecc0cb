import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from './cli.js';

/**
 * Runs the built CLI as a child process and reports its peak resident set size, read by
 * the child itself at exit (process.resourceUsage().maxRSS) through a preloaded module.
 */
export async function runCliMeasured(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ result: CliResult; maxRssMB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-rss-'));
  const preload = join(dir, 'report-rss.cjs');
  const out = join(dir, 'rss');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));\n`);
  const result = await runCli(args, { ...env, NODE_OPTIONS: `--require ${preload}` });
  return { result, maxRssMB: Number(readFileSync(out, 'utf8')) / 1024 };
}

/**
 * The import benchmark: a generated 2,000-activity Strava export (~600 MB of FIT) into the
 * sandbox with `--rate-limit 120`. main.ts runs this file in a child process of its own.
 *
 * Knobs (environment): MMT_BENCH_IMPORT_FILES (default 2,000, the figure),
 * MMT_BENCH_IMPORT_DURATION_S (seconds per activity, default 12,500: ~290 KB of FIT each).
 */
import { runModule } from './lib/result.js';
import { measureImport } from './import/run.js';

await runModule('import', measureImport);

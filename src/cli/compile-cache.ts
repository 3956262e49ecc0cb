/**
 * Node ≥ 22.1 keeps the compiled code of every module on disk between runs
 * (`module.enableCompileCache`): a later start skips parsing and compiling it. Imported
 * first by the entry point, so that the commands (loaded lazily) and their libraries are
 * cached. Node 20 has no such API, and nothing happens there.
 */
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/**
 * The parent side of the fuzz child (fuzz-worker.mjs): sends one file at a time and
 * waits for its verdict, at most `boundMs`. With `checkRepair` (the default) the child
 * also classifies what a repair would upload. A child that does not answer in time is
 * killed (a hang); one that exits is a crash. Either way a fresh child takes over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKER = fileURLToPath(new URL('./fuzz-worker.mjs', import.meta.url));

export interface ActivitySummary {
  readonly verdict: unknown;
  readonly reason: unknown;
  readonly format: unknown;
  readonly kind: unknown;
  readonly repaired?: { readonly format: string; readonly length: number };
}

export type ChildOutcome =
  | { readonly status: 'verdict'; readonly ms: number; readonly activity: ActivitySummary; readonly repairedVerdict?: string; readonly repairedReason?: string }
  | { readonly status: 'threw'; readonly ms: number; readonly error: string }
  | { readonly status: 'hang'; readonly ms: number }
  | { readonly status: 'died'; readonly ms: number; readonly error: string };

interface Reply {
  id?: number;
  ready?: boolean;
  ok?: boolean;
  ms?: number;
  activity?: ActivitySummary;
  repairedVerdict?: string;
  repairedReason?: string;
  error?: string;
  maxRssKB?: number;
}

/** Peak RSS of a live process in MB from /proc (Linux), or undefined. */
export function procPeakRssMB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export class ClassifierChild {
  /** Highest peak RSS seen across every child this object started, in MB. */
  peakRssMB = 0;
  restarts = 0;
  private child: ChildProcess | undefined;
  private stderr = '';
  private nextId = 0;
  private pending: ((reply: Reply | { died: string }) => void) | undefined;

  constructor(private readonly nodeArgs: readonly string[] = ['--max-old-space-size=256']) {}

  private async start(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [...this.nodeArgs, WORKER], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    this.stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', (m: Reply) => (m.ready ? resolve() : reject(new Error('fuzz worker did not start'))));
      child.once('exit', (code) => reject(new Error(`fuzz worker exited at start (${code}): ${this.stderr}`)));
    });
    child.on('message', (m: Reply) => {
      if (m.maxRssKB !== undefined) this.peakRssMB = Math.max(this.peakRssMB, m.maxRssKB / 1024);
      const pending = this.pending;
      this.pending = undefined;
      pending?.(m);
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const pending = this.pending;
      this.pending = undefined;
      pending?.({ died: `exit code ${code}, signal ${signal}: ${this.stderr.trim()}` });
    });
    this.child = child;
    return child;
  }

  async classify(name: string, bytes: Uint8Array, boundMs: number, options: { readonly checkRepair?: boolean } = {}): Promise<ChildOutcome> {
    const child = this.child ?? (await this.start());
    const id = this.nextId++;
    const sent = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<Reply | { died: string } | 'timeout'>((resolve) => {
      this.pending = resolve;
      timer = setTimeout(() => resolve('timeout'), boundMs);
      child.send({ id, name, bytes, checkRepair: options.checkRepair ?? true });
    });
    clearTimeout(timer);
    const elapsed = performance.now() - sent;
    if (reply === 'timeout') {
      this.pending = undefined;
      this.peakRssMB = Math.max(this.peakRssMB, procPeakRssMB(child.pid) ?? 0);
      await this.kill(child);
      return { status: 'hang', ms: elapsed };
    }
    if ('died' in reply) {
      this.restarts++;
      return { status: 'died', ms: elapsed, error: reply.died };
    }
    if (!reply.ok) return { status: 'threw', ms: reply.ms ?? elapsed, error: reply.error ?? '(no error)' };
    return {
      status: 'verdict',
      ms: reply.ms ?? elapsed,
      activity: reply.activity!,
      ...(reply.repairedVerdict !== undefined ? { repairedVerdict: reply.repairedVerdict, repairedReason: reply.repairedReason } : {}),
    };
  }

  private async kill(child: ChildProcess): Promise<void> {
    this.restarts++;
    if (this.child === child) this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.peakRssMB = Math.max(this.peakRssMB, procPeakRssMB(child.pid) ?? 0);
    this.child = undefined;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    child.kill('SIGTERM');
    await gone;
  }
}

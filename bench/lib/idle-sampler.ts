import { contextSwitches, cpuMs, memory } from '../upload/procfs.js';
import { sleep } from '../upload/processes.js';

export interface IdleSample {
  readonly elapsedMs: number;
  /** CPU time (all threads) over the window. */
  readonly cpuMs: number;
  readonly cpuPct: number;
  readonly perSecondCpuMs: readonly number[];
  readonly voluntaryWakeups: number;
  readonly involuntary: number;
  readonly threads: number;
  /** Highest VmRSS of one sample a second, and VmRSS/VmHWM at the end, in bytes. */
  readonly rssMax: number;
  readonly rssEnd: number;
  readonly hwm: number;
}

/** Watches a process from outside (/proc) for `seconds`: CPU time, wake-ups, resident memory. */
export async function sampleIdle(pid: number, seconds: number): Promise<IdleSample> {
  const started = performance.now();
  const cpu0 = cpuMs(pid);
  const ctx0 = contextSwitches(pid);
  const perSecondCpuMs: number[] = [];
  let rssMax = 0;
  let lastCpu = cpu0;
  const deadline = started + seconds * 1000;
  for (let second = 1; performance.now() < deadline; second++) {
    await sleep(Math.max(0, Math.min(started + second * 1000, deadline) - performance.now()));
    const now = cpuMs(pid);
    perSecondCpuMs.push(now - lastCpu);
    lastCpu = now;
    rssMax = Math.max(rssMax, memory(pid).rss);
  }
  const elapsedMs = performance.now() - started;
  const cpu = cpuMs(pid) - cpu0;
  const ctx1 = contextSwitches(pid);
  const mem = memory(pid);
  return {
    elapsedMs,
    cpuMs: cpu,
    cpuPct: (cpu / elapsedMs) * 100,
    perSecondCpuMs,
    voluntaryWakeups: ctx1.voluntary - ctx0.voluntary,
    involuntary: ctx1.involuntary - ctx0.involuntary,
    threads: ctx1.threads,
    rssMax: Math.max(rssMax, mem.rss),
    rssEnd: mem.rss,
    hwm: mem.hwm,
  };
}

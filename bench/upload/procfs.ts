/**
 * What the kernel says about another process (Linux /proc): CPU time, resident memory,
 * its high-water mark and wake-ups. Reading these from outside costs the measured
 * process nothing.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticks: number | undefined;

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (getconf CLK_TCK, 100 almost everywhere). */
export function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export function procfsAvailable(): boolean {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system, all threads) the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

export interface Memory {
  /** Resident set now, bytes. */
  readonly rss: number;
  /** Peak resident set since the process started (VmHWM), bytes. */
  readonly hwm: number;
}

function statusField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`Expected ${name} in /proc/<pid>/status, got none`);
  return Number(match[1]) * 1024;
}

export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: statusField(status, 'VmRSS'), hwm: statusField(status, 'VmHWM') };
}

/**
 * Context switches summed over all threads: voluntary ones are wake-ups from sleep
 * (a timer, an event), so their rate is how often an idle process stirs.
 */
export function contextSwitches(pid: number): { voluntary: number; involuntary: number; threads: number } {
  let voluntary = 0;
  let involuntary = 0;
  let threads = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    } catch {
      continue; // the thread ended between readdir and read
    }
    threads++;
    voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
    involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
  }
  return { voluntary, involuntary, threads };
}

/** Keeps the highest VmHWM seen while a process runs (VmHWM only grows, so the last read before exit is the peak). */
export class HwmSampler {
  private timer: NodeJS.Timeout | undefined;
  peak = 0;
  samples = 0;

  constructor(private readonly pid: number, everyMs: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    try {
      const { hwm } = memory(this.pid);
      this.peak = Math.max(this.peak, hwm);
      this.samples++;
    } catch {
      // gone (or a zombie without a status): the last sample stands
    }
  }

  stop(): number {
    clearInterval(this.timer);
    this.timer = undefined;
    return this.peak;
  }
}

import { hostname } from 'node:os';

/** The journal's name for this process: claims of a dead owner can be released. */
export function ownerId(): string {
  return `${hostname()}:${process.pid}`;
}

export function ownerIsAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true; // another machine sharing the state dir: not ours to judge
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

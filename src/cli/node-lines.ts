/**
 * End of life of each Node.js release line, from the Node.js release schedule
 * (https://github.com/nodejs/Release, schedule.json, `end`). After that date a line
 * gets no security fixes; `mmt-sync doctor` says so. Add a line when it is released.
 */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  18: '2025-04-30',
  19: '2023-06-01',
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

export interface NodeLineStatus {
  readonly major: number;
  /** YYYY-MM-DD, or undefined for a line newer than this table. */
  readonly endOfLife?: string;
  readonly pastEndOfLife: boolean;
}

/** Where a Node version (`v20.20.2`) stands on `today`. */
export function nodeLineStatus(version: string, today: Date = new Date()): NodeLineStatus {
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  const known = Object.keys(NODE_END_OF_LIFE).map(Number);
  const endOfLife = NODE_END_OF_LIFE[major];
  if (endOfLife === undefined) {
    // Older than the table: long past its end. Newer: released after this table was written.
    return { major, pastEndOfLife: major < Math.min(...known) };
  }
  return { major, endOfLife, pastEndOfLife: today.getTime() >= Date.parse(`${endOfLife}T00:00:00Z`) + 86_400_000 };
}

/** The supported lines a user can move to on `today`, oldest first (even lines: the LTS ones). */
export function supportedLines(today: Date = new Date()): number[] {
  return Object.keys(NODE_END_OF_LIFE)
    .map(Number)
    .filter((major) => major % 2 === 0 && !nodeLineStatus(`v${major}`, today).pastEndOfLife);
}

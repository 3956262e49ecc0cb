/** "5 min ago", "in 12 s", "3 days ago": how far `at` is from `now`. */
export function relative(at: number, now: number): string {
  const seconds = Math.round(Math.abs(at - now) / 1000);
  const minutes = Math.round(seconds / 60);
  const span =
    seconds < 60
      ? seconds < 1
        ? 'less than a second'
        : `${seconds} s`
      : minutes < 120
        ? `${minutes} min`
        : minutes < 48 * 60
          ? `${Math.round(minutes / 60)} h`
          : `${Math.round(minutes / 1440)} days`;
  return at >= now ? `in ${span}` : `${span} ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The machine's local time as `2026-05-12 07:31`: unambiguous in any locale, sorts as text. */
export function localDateTime(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(at)}`;
}

/** The local time of day, `10:42` (with seconds when asked: a wait of a few seconds). */
export function clock(at: number, seconds = false): string {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
}

/** `2026-05-12 10:42 (5 min ago)`. */
export function when(at: number, now = Date.now()): string {
  return `${localDateTime(at)} (${relative(at, now)})`;
}

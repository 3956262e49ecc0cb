export type Units = 'km' | 'mi';

export const METRES_PER_MILE = 1609.344;

export function distance(metres: number | null | undefined, units: Units): string {
  if (metres === null || metres === undefined || !Number.isFinite(metres)) return '—';
  const value = units === 'mi' ? metres / METRES_PER_MILE : metres / 1000;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units}`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

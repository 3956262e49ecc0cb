/**
 * present/: numbers, units and times as a person reads them, for every place that shows
 * them: the terminal (`list`, `status`, `sync`, progress) and the dashboard's pages. Pure:
 * no I/O, imports nothing of mmt-sync's.
 */
export { METRES_PER_MILE, distance, duration, type Units } from './units.js';
export { clock, localDateTime, relative, when } from './time.js';

export type { Source, DeviceIdentity } from './source.js';
export { configuredSources, type ConfiguredSourcesOptions } from './configured.js';
export { detectDevices, defaultMediaRoots, type DetectDevicesOptions, type MediaRoot } from './devices.js';
export { walkSource, formatBytes, type WalkEntry, type WalkOptions, type WalkProblem, type WalkSummary } from './walk.js';
export { DEFAULT_EXTENSIONS } from './filter.js';
export { fsTypeNeedsPolling, pathNeedsPolling, readMounts, type MountEntry } from './mounts.js';

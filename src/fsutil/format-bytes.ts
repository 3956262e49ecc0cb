export const MB = 1024 * 1024;

/** "64 MB", "1.5 MB", "512 KB", "100 bytes": how a cap reads in a refusal. */
export function formatBytes(bytes: number): string {
  const trim = (n: number) => String(Number(n.toFixed(2)));
  if (bytes >= 1024 * MB) return `${trim(bytes / (1024 * MB))} GB`;
  if (bytes >= MB) return `${trim(bytes / MB)} MB`;
  if (bytes >= 1024) return `${trim(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/**
 * "empty file": no bytes at all, or only zero bytes, which is what a watch leaves when it
 * made room for a recording it never wrote (FAT allocates, then the power goes). A FIT
 * header, XML and a byte order mark all start with a nonzero byte, so a file that is not
 * empty is told apart at its first bytes.
 */
export class Emptiness {
  private bytes = 0;
  private allZero = true;

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (!this.allZero) return;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0) {
        this.allZero = false;
        return;
      }
    }
  }

  /** The reason when the file is empty, undefined otherwise. */
  reason(): string | undefined {
    if (this.bytes === 0) return 'empty file';
    return this.allZero ? `empty file (${this.bytes} zero bytes)` : undefined;
  }
}

export function emptiness(bytes: Uint8Array): string | undefined {
  const empty = new Emptiness();
  empty.add(bytes);
  return empty.reason();
}

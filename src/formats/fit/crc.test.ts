import { CrcCalculator } from '@garmin/fitsdk';
import { describe, expect, it } from 'vitest';
import { fitCrc } from './crc.js';
import { readHeader } from './header.js';

describe('fitCrc', () => {
  it('equals the FIT SDK CRC on every length and chunking', () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + (i >> 3) * 7) & 0xff);
    const wrong: string[] = [];
    for (let start = 0; start < 9; start++) {
      for (let end = start; end < 300; end++) {
        if (fitCrc(bytes, start, end) !== CrcCalculator.calculateCRC(bytes, start, end)) wrong.push(`${start}..${end}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(fitCrc(bytes, 0, 4096)).toBe(CrcCalculator.calculateCRC(bytes, 0, 4096));
    expect(fitCrc(bytes, 101, 4096, fitCrc(bytes, 0, 101))).toBe(CrcCalculator.calculateCRC(bytes, 0, 4096));
  });

  it('is 0 over data followed by its own CRC', () => {
    const bytes = Uint8Array.of(14, 0x10, 0x54, 0x08, 1, 0, 0, 0, 0x2e, 0x46, 0x49, 0x54, 0, 0);
    const crc = fitCrc(bytes, 0, 12);
    bytes.set([crc & 0xff, crc >> 8], 12);
    expect(fitCrc(bytes, 0, 14)).toBe(0);
  });
});

describe('readHeader', () => {
  const header = (size: number, crc?: number): Uint8Array => {
    const bytes = new Uint8Array(size);
    bytes.set([size, 0x10, 0x54, 0x08, 0x10, 0x20, 0, 0, 0x2e, 0x46, 0x49, 0x54]);
    if (size >= 14) bytes.set([(crc ?? 0) & 0xff, (crc ?? 0) >> 8], 12);
    return bytes;
  };

  it('reads 12- and 14-byte headers', () => {
    expect(readHeader(header(12), 0)).toEqual({ headerSize: 12, dataSize: 0x2010, headerCrcOk: true });
    const good = header(14);
    const crc = fitCrc(good, 0, 12);
    expect(readHeader(header(14, crc), 0)).toEqual({ headerSize: 14, dataSize: 0x2010, headerCrcOk: true });
    expect(readHeader(header(14, 0), 0)?.headerCrcOk).toBe(true); // 0 = not computed
    expect(readHeader(header(14, crc ^ 1), 0)?.headerCrcOk).toBe(false);
  });

  it('rejects what is not a FIT header', () => {
    expect(readHeader(header(12).subarray(0, 11), 0)).toBeUndefined();
    const wrongSignature = header(14);
    wrongSignature[9] = 0x47;
    expect(readHeader(wrongSignature, 0)).toBeUndefined();
    const tooSmall = header(14);
    tooSmall[0] = 11;
    expect(readHeader(tooSmall, 0)).toBeUndefined();
    const tooLong = header(14);
    tooLong[0] = 200;
    expect(readHeader(tooLong, 0)).toBeUndefined();
  });
});

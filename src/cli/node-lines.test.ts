import { describe, expect, it } from 'vitest';
import { nodeLineStatus, supportedLines } from './node-lines.js';

describe('Node line end of life', () => {
  it('a line is past its end of life from the day after its end date', () => {
    expect(nodeLineStatus('v20.20.2', new Date('2026-04-30T12:00:00Z')).pastEndOfLife).toBe(false);
    expect(nodeLineStatus('v20.20.2', new Date('2026-05-01T00:00:01Z'))).toEqual({ major: 20, endOfLife: '2026-04-30', pastEndOfLife: true });
    expect(nodeLineStatus('v24.1.0', new Date('2026-12-07')).pastEndOfLife).toBe(false);
  });

  it('a line older than the table is past its end; a newer one is not judged', () => {
    expect(nodeLineStatus('v16.20.0').pastEndOfLife).toBe(true);
    expect(nodeLineStatus('v40.0.0')).toEqual({ major: 40, pastEndOfLife: false });
  });

  it('names the even lines still supported as the ones to move to', () => {
    expect(supportedLines(new Date('2026-12-07'))).toEqual([22, 24, 26]);
    expect(supportedLines(new Date('2026-01-01'))).toEqual([20, 22, 24, 26]);
  });
});

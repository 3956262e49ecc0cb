import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { redact, registerSecret } from './redact.js';

describe('redact', () => {
  it('masks registered secrets wherever they appear', () => {
    registerSecret('s3cr3t-value-123');
    expect(redact('error: refresh with s3cr3t-value-123 failed')).toBe('error: refresh with [redacted] failed');
  });

  it('masks secrets it was never told about, by where they travel', () => {
    expect(redact('Authorization: Bearer abc.def-ghi')).not.toContain('abc.def-ghi');
    expect(redact('Authorization: Basic Y2lkOnNlY3JldA==')).not.toContain('Y2lkOnNlY3JldA');
    expect(redact('{"access_token":"tok-1","refresh_token":"tok-2"}')).not.toMatch(/tok-1|tok-2/);
    expect(redact('GET /callback?code=abcdef&state=xyz')).toBe('GET /callback?code=[redacted]&state=xyz');
    expect(redact('grant_type=refresh_token&refresh_token=rt-9')).not.toContain('rt-9');
    expect(redact('clientSecret: hunter22')).not.toContain('hunter22');
  });

  it('leaves ordinary errno codes and words alone', () => {
    expect(redact("connect failed: code: 'ECONNREFUSED'")).toBe("connect failed: code: 'ECONNREFUSED'");
  });
});

describe('logger', () => {
  function capture(format: 'text' | 'json') {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c));
    const log = createLogger({ level: 'debug', format, stream, env: {} });
    return { log, read: () => text };
  }

  it('redacts messages, metadata and stacks in text lines', async () => {
    registerSecret('stack-secret-abcdef');
    const { log, read } = capture('text');
    const error = new Error('boom stack-secret-abcdef');
    log.error('failed', { header: 'Bearer zzz-token', stack: error.stack });
    await new Promise((r) => setImmediate(r));
    expect(read()).toContain('error: failed');
    expect(read()).not.toMatch(/stack-secret-abcdef|zzz-token/);
  });

  it('redacts secret-named keys in JSON lines', async () => {
    const { log, read } = capture('json');
    log.info('tokens', { refreshToken: 'plain-value-1', nested: { access_token: 'plain-value-2' } });
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(read().trim()) as Record<string, unknown>;
    expect(line.message).toBe('tokens');
    expect(read()).not.toMatch(/plain-value-1|plain-value-2/);
  });
});

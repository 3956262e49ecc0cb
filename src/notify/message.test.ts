import { describe, expect, it } from 'vitest';
import { registerSecret } from '../redact.js';
import { syncNotice } from './message.js';

describe('what a sync notification says', () => {
  it('says nothing when nothing happened', () => {
    expect(syncNotice({ uploaded: 0, failed: [], loginRequired: false })).toBeUndefined();
  });

  it('counts uploads', () => {
    expect(syncNotice({ uploaded: 1, failed: [], loginRequired: false })).toEqual({ title: 'mmt-sync: 1 activity uploaded', body: 'to Map My Tracks', urgency: 'low' });
    expect(syncNotice({ uploaded: 3, failed: [], loginRequired: false })?.title).toBe('mmt-sync: 3 activities uploaded');
  });

  it('names failures with their reason, a few at most', () => {
    const failed = ['a', 'b', 'c', 'd', 'e'].map((n) => ({ file: `/media/u/GARMIN/Activity/${n}.fit`, reason: 'HTTP 422: not a valid activity' }));
    const notice = syncNotice({ uploaded: 2, failed, loginRequired: false })!;
    expect(notice.title).toBe('mmt-sync: 2 activities uploaded, 5 failed');
    expect(notice.body).toBe(['a.fit: HTTP 422: not a valid activity', 'b.fit: HTTP 422: not a valid activity', 'c.fit: HTTP 422: not a valid activity', 'and 2 more (mmt-sync status)'].join('\n'));
    expect(syncNotice({ uploaded: 0, failed: failed.slice(0, 1), loginRequired: false })?.title).toBe('mmt-sync: 1 upload failed');
  });

  it('says "login required" above all, urgently', () => {
    const notice = syncNotice({ uploaded: 0, failed: [], loginRequired: true })!;
    expect(notice).toMatchObject({ title: 'mmt-sync: login required', urgency: 'critical' });
    expect(notice.body).toContain('mmt-sync login');
  });

  it('never carries a token or control characters from a reason', () => {
    registerSecret('tok_abcdef1234567890');
    const notice = syncNotice({
      uploaded: 0,
      failed: [{ file: 'x\u0007y.fit', reason: 'server said: Bearer tok_abcdef1234567890 refused\r\nSet-Cookie: a' }],
      loginRequired: false,
    })!;
    expect(notice.body).not.toContain('tok_abcdef1234567890');
    expect(notice.body).not.toMatch(/[\u0000-\u001f]/);
    expect(notice.body).toContain('[redacted]');
  });
});

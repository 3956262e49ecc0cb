import { describe, expect, it } from 'vitest';
import { describeReply, htmlTitle, parseJsonBody, serverError } from './reply.js';

const reply = (status: number, text: string, headers: Record<string, string> = {}) => ({
  status,
  text,
  headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
});

describe('parseJsonBody', () => {
  it('reads JSON behind a UTF-8 byte order mark and blank lines, as PHP servers send it', () => {
    expect(parseJsonBody('\uFEFF{"activity_id":7}')).toEqual({ activity_id: 7 });
    expect(parseJsonBody('\uFEFF\n\n  {"activity_id":7}\r\n')).toEqual({ activity_id: 7 });
    expect(parseJsonBody('\n\uFEFF{"ok":1}')).toEqual({ ok: 1 });
  });

  it('is undefined for what is not JSON', () => {
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody('<html><title>502 Bad Gateway</title></html>')).toBeUndefined();
    expect(parseJsonBody('{"cut')).toBeUndefined();
  });
});

describe('describeReply', () => {
  it('names an HTML page by its title, never its body', () => {
    const page = '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>' + '<!-- padding -->\n'.repeat(50);
    const said = describeReply(reply(413, page, { 'content-type': 'text/html' }));
    expect(said).toBe('an HTML page titled "413 Request Entity Too Large"');
  });

  it('says where a redirect pointed, and that it was not followed', () => {
    expect(describeReply(reply(301, '', { location: 'https://example.test/api3/uploadActivity' }))).toBe(
      'redirected to https://example.test/api3/uploadActivity; not followed',
    );
  });

  it('gives the JSON error and message (the contract\'s and RFC 6749\'s shapes), in one line', () => {
    expect(describeReply(reply(403, '{"function":"uploadActivity","error":"INVALID_PARAMENTER","message":"invalid status"}'))).toBe(
      'INVALID_PARAMENTER: invalid status',
    );
    expect(describeReply(reply(400, '{"error":"invalid_grant","error_description":"grant\\nrequest  is invalid"}'))).toBe(
      'invalid_grant: grant request is invalid',
    );
  });

  it('cuts plain text to its first words', () => {
    const said = describeReply(reply(500, `Fatal error: ${'x'.repeat(500)}\nStack trace: …`));
    expect(said.length).toBeLessThanOrEqual(122);
    expect(said).not.toContain('\n');
  });
});

describe('htmlTitle', () => {
  it('decodes entities and white space, and is undefined without a title', () => {
    expect(htmlTitle('<TITLE lang="en">\n 503 &amp; Service&#32;Unavailable </TITLE>')).toBe('503 & Service Unavailable');
    expect(htmlTitle('<h1>no title</h1>')).toBeUndefined();
  });
});

describe('serverError', () => {
  it('ignores an empty error and reads description or message', () => {
    expect(serverError({ error: '', message: 'x' })).toEqual({ message: 'x' });
    expect(serverError([1])).toEqual({});
  });
});

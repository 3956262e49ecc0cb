import { randomBytes } from 'node:crypto';

export interface FilePart {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  readonly contentType: string;
}

export type FormValue = string | FilePart;

export interface EncodedForm {
  readonly body: Buffer;
  readonly contentType: string;
}

/** RFC 7578 §2: names and file names are quoted; quotes and line breaks cannot appear raw. */
function quote(value: string): string {
  return `"${value.replace(/"/g, '%22').replace(/[\r\n]+/g, ' ')}"`;
}

/**
 * multipart/form-data, encoded by hand: the whole body is one Buffer we send with
 * node:http. (Node's FormData/fetch load undici, ~40 MB of RSS, for what is a few lines.)
 */
export function encodeMultipart(fields: ReadonlyArray<readonly [string, FormValue]>): EncodedForm {
  const boundary = `----mmt-sync-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    if (typeof value === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=${quote(name)}\r\n\r\n${value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name=${quote(name)}; filename=${quote(value.fileName)}\r\n` +
            `Content-Type: ${value.contentType}\r\n\r\n`,
        ),
        Buffer.from(value.bytes.buffer, value.bytes.byteOffset, value.bytes.byteLength),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

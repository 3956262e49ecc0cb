/**
 * multipart/form-data bodies of the data endpoints, parsed with busboy and
 * checked against the endpoint's field list: an unknown, repeated or
 * misplaced part is a client bug the sandbox reports, not something it skips.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ParamError, PlainHttpError, type SandboxHttpError } from './errors.js';
import { mediaType } from './http.js';

/** The brief's cap on an uploaded file; real activity files are a few MB at most. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Live `data` fields carry batches of points as JSON; 16 MB is far beyond any sane batch. */
const MAX_FIELD_BYTES = 16 * 1024 * 1024;

export interface UploadedFile {
  readonly filename: string | undefined;
  readonly bytes: Buffer;
}

export interface MultipartForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly file: UploadedFile | undefined;
}

export interface FieldSpec {
  /** The endpoint name, for the 403 body's `function`. */
  readonly fn: string;
  /** Text fields the endpoint knows. */
  readonly fields: readonly string[];
  /** The one field that must arrive as a file part, if any. */
  readonly fileField?: string;
}

export function parseMultipart(req: IncomingMessage, spec: FieldSpec): Promise<MultipartForm> {
  // The client may have gone while we checked its token: its 'close' has already fired.
  if (req.destroyed && !req.complete) return Promise.reject(new PlainHttpError(400, 'bad_request', 'the request body ended early'));
  if (mediaType(req) !== 'multipart/form-data') {
    return Promise.reject(new ParamError(spec.fn, 'expected a multipart/form-data body'));
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { fileSize: MAX_FILE_BYTES, fieldSize: MAX_FIELD_BYTES, parts: 100 },
    });
  } catch (error) {
    // Thrown synchronously for a multipart Content-Type without a boundary.
    return Promise.reject(new PlainHttpError(400, 'bad_request', `malformed multipart body: ${messageOf(error)}`));
  }

  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let file: UploadedFile | undefined;
    // The first problem wins; parsing goes on so the client can read our answer.
    let problem: SandboxHttpError | undefined;
    const note = (error: SandboxHttpError) => {
      problem ??= error;
    };
    const seen = new Set<string>();
    const firstTime = (name: string) => {
      if (seen.has(name)) note(new ParamError(spec.fn, `field ${name} given more than once`));
      seen.add(name);
    };
    let openFiles = 0;
    let parserClosed = false;
    const finish = () => {
      if (!parserClosed || openFiles > 0) return;
      if (problem) reject(problem);
      else resolve({ fields, file });
    };

    parser.on('field', (name, value, info) => {
      firstTime(name);
      if (name === spec.fileField) note(new ParamError(spec.fn, `${name} must be sent as a file part`));
      else if (!spec.fields.includes(name)) note(new ParamError(spec.fn, `unknown field: ${name}`));
      else if (info.valueTruncated) note(new PlainHttpError(413, 'payload_too_large', `field ${name} over ${MAX_FIELD_BYTES} bytes`));
      else fields.set(name, value);
    });
    parser.on('file', (name, stream, info) => {
      firstTime(name);
      openFiles += 1;
      const wanted = name === spec.fileField;
      if (!wanted) note(new ParamError(spec.fn, spec.fields.includes(name) ? `${name} must be a text field` : `unknown field: ${name}`));
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (wanted) chunks.push(chunk);
      });
      stream.on('limit', () => note(new PlainHttpError(413, 'payload_too_large', `file over ${MAX_FILE_BYTES} bytes`)));
      stream.on('end', () => {
        openFiles -= 1;
        if (wanted) file = { filename: info.filename, bytes: Buffer.concat(chunks) };
        finish();
      });
    });
    parser.on('partsLimit', () => note(new PlainHttpError(413, 'payload_too_large', 'too many parts')));
    parser.on('error', (error) => {
      req.unpipe(parser);
      req.resume();
      reject(new PlainHttpError(400, 'bad_request', `malformed multipart body: ${messageOf(error)}`));
    });
    parser.on('close', () => {
      parserClosed = true;
      finish();
    });
    req.on('error', (error) => reject(error));
    // A client killed mid-upload never sends the rest: end the handler instead of waiting forever.
    req.on('close', () => {
      if (!req.complete) reject(new PlainHttpError(400, 'bad_request', 'the request body ended early'));
    });
    req.pipe(parser);
  });
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

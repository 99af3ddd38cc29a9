import { connect } from 'node:net';
import { expect } from 'vitest';

/** One HTTP response as read off a raw socket. */
export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * Writes exact bytes to the server and reads until it closes the connection (or `idleMs` of
 * silence), so malformed requests the HTTP client libraries refuse to produce can be sent.
 */
export function rawRequest(url: string, bytes: string | Buffer, idleMs = 500): Promise<RawResponse[]> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const finish = () => resolve(splitResponses(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(idleMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.write(bytes);
  });
}

function splitResponses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd === -1) break;
    const head = rest.slice(0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const chunked = /\r\ntransfer-encoding: *chunked/i.test(head);
    let body: string;
    let next: number;
    if (status >= 100 && status < 200) {
      // An interim answer (100 Continue) has no body; the final answer follows.
      body = '';
      next = headEnd + 4;
    } else if (length) {
      next = headEnd + 4 + Number(length[1]);
      body = rest.slice(headEnd + 4, next);
    } else if (chunked) {
      ({ body, next } = dechunk(rest, headEnd + 4));
    } else {
      body = rest.slice(headEnd + 4);
      next = rest.length;
    }
    out.push({ status, head, body });
    rest = rest.slice(next);
  }
  return out;
}

function dechunk(text: string, from: number): { body: string; next: number } {
  let at = from;
  let body = '';
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return { body, next: text.length };
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return { body, next: Math.min(text.length, lineEnd + 4) };
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** Marks of a stack trace or of source paths; none may appear in any answer. */
const STACK_MARKS = [/\n\s+at\s/, /node:internal/, /\.ts:\d+/, /\.js:\d+:\d+/, /node_modules/];

/** Asserts an answer is an Anthropic error envelope with the given status, and nothing else. */
export function expectEnvelope(status: number, body: string, expectedStatus?: number | ((s: number) => boolean)): { type: string; message: string } {
  if (typeof expectedStatus === 'number') expect(status).toBe(expectedStatus);
  else if (expectedStatus) expect(expectedStatus(status), `status ${status}`).toBe(true);
  let parsed: unknown;
  expect(() => (parsed = JSON.parse(body)), body).not.toThrow();
  const envelope = parsed as { type: unknown; error: { type: unknown; message: unknown }; request_id?: unknown };
  expect(envelope.type, body).toBe('error');
  expect(typeof envelope.error?.type, body).toBe('string');
  expect(typeof envelope.error?.message, body).toBe('string');
  expectNoStack(body);
  return { type: envelope.error.type as string, message: envelope.error.message as string };
}

export function expectNoStack(text: string): void {
  for (const mark of STACK_MARKS) expect(text, `answer leaks ${mark}`).not.toMatch(mark);
}

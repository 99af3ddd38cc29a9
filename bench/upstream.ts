// A fake Anthropic Messages API and a fake OpenAI chat-completions API on one loopback port.
// Answers are built once; per request the server only reads the body and looks for two markers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SPACED_MARKER } from './requests.js';

/** Text deltas per streamed answer. */
export const DELTAS = 16;
const SPACING_MS = 5;

const usage = { input_tokens: 12_000, output_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 11_000 };
const words = Array.from({ length: DELTAS }, (_, i) => `word${i} `);

const anthropicJson = Buffer.from(
  JSON.stringify({ id: 'msg_01Bench', type: 'message', role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text: words.join('') }], stop_reason: 'end_turn', stop_sequence: null, usage }),
);
const sseEvent = (e: { type: string }) => Buffer.from(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
const anthropicEvents = [
  { type: 'message_start', message: { id: 'msg_01Bench', type: 'message', role: 'assistant', model: 'claude-opus-5-5', content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  ...words.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 40 } },
  { type: 'message_stop' },
].map(sseEvent);

const chatJson = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    model: 'bench-local',
    choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 9000, completion_tokens: 40, total_tokens: 9040 },
  }),
);
const chatChunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  Buffer.from(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', model: 'bench-local', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
const chatEvents = [
  chatChunk({ role: 'assistant', content: '' }),
  ...words.map((content) => chatChunk({ content })),
  chatChunk({}, 'stop'),
  Buffer.from(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', model: 'bench-local', choices: [], usage: { prompt_tokens: 9000, completion_tokens: 40 } })}\n\n`),
  Buffer.from('data: [DONE]\n\n'),
];
const models = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: 'bench-local', object: 'model' }] }));

const STREAM_TRUE = Buffer.from('"stream":true');
const SPACED = Buffer.from(SPACED_MARKER);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stream(res: ServerResponse, events: Buffer[], spaced: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_011Bench' });
  if (!spaced) return void res.end(Buffer.concat(events));
  for (const e of events) {
    if (res.destroyed) return;
    res.write(e);
    await sleep(SPACING_MS);
  }
  res.end();
}

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = req.url ?? '';
  if (req.method === 'GET' && path.startsWith('/v1/models')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(models);
  }
  const streaming = body.indexOf(STREAM_TRUE) !== -1;
  const spaced = body.indexOf(SPACED) !== -1;
  if (path.startsWith('/v1/chat/completions')) {
    if (streaming) return void stream(res, chatEvents, spaced);
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(chatJson);
  }
  if (streaming) return void stream(res, anthropicEvents, spaced);
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_011Bench', 'anthropic-ratelimit-requests-remaining': '999' });
  res.end(anthropicJson);
}

/** Starts the fake on an ephemeral loopback port. */
export async function startUpstream(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

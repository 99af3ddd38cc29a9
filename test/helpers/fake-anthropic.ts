import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake upstream received it. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Resolves when the client side of this request closed (abort or completion). */
  closed: Promise<number>;
}

export type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

/** A loopback HTTP server that speaks whatever the test's handler says; records every request. */
export class FakeUpstream {
  readonly received: Received[] = [];
  private server: Server;
  url = '';

  constructor(private handler: Handler) {
    this.server = createServer((req, res) => void this.onRequest(req, res));
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const closed = new Promise<number>((resolve) => res.on('close', () => resolve(performance.now())));
    const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), closed };
    this.received.push(received);
    try {
      await this.handler(received, res);
    } catch {
      res.destroy();
    }
  }
}

/** Resolves when a fake's response can take more bytes, or the proxy hung up. */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

export function sse(events: readonly { type: string; [key: string]: unknown }[]): string {
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

const usage = (input: number, output: number) => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
});

export function textMessage(text: string, model = 'claude-sonnet-5-5', id = 'msg_01TestText') {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: usage(25, 7),
  };
}

/** Streams in the exact shape Anthropic uses, for the three kinds of content the client accumulates. */
export const streams = {
  text(text = 'Hello from the fake upstream.', model = 'claude-sonnet-5-5') {
    const words = text.split(/(?<= )/);
    return [
      { type: 'message_start', message: { ...textMessage('', model, 'msg_01TestStream'), content: [], stop_reason: null, usage: usage(42, 1) } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      ...words.map((w) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } })),
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 11 } },
      { type: 'message_stop' },
    ];
  },
  toolUse(model = 'claude-sonnet-5-5') {
    return [
      { type: 'message_start', message: { ...textMessage('', model, 'msg_01TestTool'), content: [], stop_reason: null, usage: usage(120, 1) } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me look.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_01Fake', name: 'Bash', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"command": "ls' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' -la", "description": "List"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 33 } },
      { type: 'message_stop' },
    ];
  },
  thinking(model = 'claude-opus-5-5') {
    return [
      { type: 'message_start', message: { ...textMessage('', model, 'msg_01TestThink'), content: [], stop_reason: null, usage: usage(300, 1) } },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'The user greets; ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'answer briefly.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCkYIBxgCKkBsig+/fake==' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi!' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 19 } },
      { type: 'message_stop' },
    ];
  },
};

/** A handler that answers like Anthropic: JSON or SSE depending on `stream` in the body. */
export function anthropicLike(events: () => readonly { type: string }[] = () => streams.text()): Handler {
  return (req, res) => {
    const headers = { 'request-id': 'req_011FakeUpstream', 'anthropic-ratelimit-requests-remaining': '99' };
    if (req.url.startsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 1234 }));
      return;
    }
    if (req.url.startsWith('/v1/models')) {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          data: [{ id: 'claude-sonnet-5-5', type: 'model', display_name: 'Claude Sonnet 5.5', created_at: '2026-01-01T00:00:00Z' }],
          has_more: false,
          first_id: 'claude-sonnet-5-5',
          last_id: 'claude-sonnet-5-5',
        }),
      );
      return;
    }
    const body = JSON.parse(req.body.toString('utf8')) as { stream?: boolean };
    if (body.stream) {
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(sse(events()));
    } else {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(textMessage('Hello from the fake upstream.')));
    }
  };
}

import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FakeUpstream, sse, type Handler } from '../helpers/fake-anthropic.js';
import { claudeCodeHeaders } from '../fixtures/claude-code.js';
import { resolveConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/server/app.js';
import { createContext } from '../../src/server/runtime.js';
import { shutdown } from '../../src/server/shutdown.js';
import { InFlight } from '../../src/server/in-flight.js';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/server/context.js';

const ALIAS = 'claude-local-test';
const LOCAL_KEY = 'local-key-Zq81xVw0pLm3';
const OTHER_TOKEN = 'sk-other-4f9c2b7e11aa90';
const quoted = `the key ${LOCAL_KEY} is not valid; Authorization: Bearer ${OTHER_TOKEN}`;

/** Answers HTTP 401 quoting the key (before the first byte), or an SSE error quoting it after some text. */
let mode: 'http' | 'sse' = 'http';
const backend: Handler = (req, res) => {
  if (req.url !== '/v1/messages') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"local","type":"model"}]}');
    return;
  }
  if (mode === 'http') {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: quoted } }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(sse([{ type: 'message_start', message: { id: 'msg_01Key', type: 'message', role: 'assistant', model: 'local', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } }]));
  res.write(sse([{ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]));
  res.write(sse([{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }]));
  res.end(sse([{ type: 'error', error: { type: 'api_error', message: quoted } }]));
};

let local: FakeUpstream;
let app: FastifyInstance;
let ctx: AppContext;
let url: string;
let home: string;
const logLines: string[] = [];
const inFlight = new InFlight();

beforeAll(async () => {
  local = await new FakeUpstream(backend).start();
  home = await mkdtemp(join(tmpdir(), 'cap-keytext-'));
  const config = resolveConfig(
    { listen: { port: 0 }, local: { kind: 'anthropic', url: local.url, aliases: [ALIAS], breakerFailures: 1000 }, rag: { enabled: false } },
    { HOME: home },
  );
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  ctx = createContext(config, { remoteApiKey: null, inboundToken: null, localApiKey: LOCAL_KEY }, logger);
  app = await buildApp(ctx, logger, inFlight);
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await shutdown(app, ctx, inFlight, 1000);
  await local.stop();
  await rm(home, { recursive: true, force: true });
});

async function ask(stream: boolean): Promise<string> {
  const res = await request(`${url}/v1/messages`, {
    method: 'POST',
    headers: claudeCodeHeaders({}),
    body: JSON.stringify({ model: ALIAS, max_tokens: 50, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return res.body.text();
}

describe("a local backend's error text", () => {
  it.each([
    ['an HTTP error before the first byte', 'http' as const, false],
    ['an SSE error after the first byte', 'sse' as const, true],
  ])('%s: the local key and bearer tokens reach neither the client nor the log', async (_name, which, stream) => {
    mode = which;
    logLines.length = 0;
    const answer = await ask(stream);
    await new Promise((r) => setTimeout(r, 20));
    const log = logLines.join('');
    expect(log).toContain('not valid');
    for (const text of [answer, log]) {
      expect(text).not.toContain(LOCAL_KEY);
      expect(text).not.toContain(OTHER_TOKEN);
    }
  });
});

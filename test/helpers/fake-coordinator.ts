// The local AI stack's hybrid coordinator: GET /health, POST /query. Without generate_response it
// returns search hits only (its default), with HYBRID_API_KEY set it wants X-API-Key, and it can be
// told to fail the way the real one does (400 query required, 500 route_query_failed).

import { FakeService } from './fake-service.js';
import type { ServerResponse } from 'node:http';
import type { Received } from './fake-anthropic.js';
import { json } from './fake-native.js';

type Json = Record<string, unknown>;

/** Like a small model: JSON in a code fence when asked for JSON, else a short reply. */
const defaultAnswer = (prompt: string): string =>
  prompt.includes('JSON schema') ? '```json\n{"title": "Coordinator title"}\n```' : `Coordinator answer (${prompt.length} chars of prompt).`;

export type CoordinatorFault = 'http400' | 'http500' | 'no-response' | 'hang';

export class FakeCoordinator extends FakeService {
  readonly queries: Json[] = [];
  /** The answer text for a prompt. */
  answer = defaultAnswer;
  fault: CoordinatorFault | null = null;

  constructor(readonly key: string | null = null) {
    super();
  }

  reset(): void {
    this.queries.length = 0;
    this.upstream.received.length = 0;
    this.fault = null;
    this.answer = defaultAnswer;
  }

  protected async handle(req: Received, res: ServerResponse): Promise<void> {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/health') return json(res, 200, { status: 'healthy', service: 'hybrid-coordinator', collections: ['docs'] });
    if (this.key !== null && req.headers['x-api-key'] !== this.key) return json(res, 401, { error: 'unauthorized' });
    if (req.method !== 'POST' || path !== '/query') return json(res, 404, { error: 'not found' });
    const body = JSON.parse(req.body.toString('utf8')) as Json;
    this.queries.push(body);
    const prompt = typeof body.prompt === 'string' ? body.prompt : typeof body.query === 'string' ? body.query : '';
    if (prompt === '' || this.fault === 'http400') return json(res, 400, { error: 'query required' });
    if (this.fault === 'http500') return json(res, 500, { error: 'route_query_failed', detail: 'llama.cpp unreachable' });
    if (this.fault === 'hang') return void (await req.closed);
    const results = [{ id: 1, content: 'a search hit', score: 0.8 }];
    if (body.generate_response !== true || this.fault === 'no-response') return json(res, 200, { route: 'local', backend: 'qdrant', results, latency_ms: 3 });
    return json(res, 200, { route: 'local', backend: 'llama.cpp', response: this.answer(prompt), results, latency_ms: 12 });
  }
}

// AIDB: POST /vector/search {query, limit, project?} → {results:[…], limit}; GET /health. It records
// every query, and can be slow (past the proxy's timeout) or failing.

import { FakeService } from './fake-service.js';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Received } from './fake-anthropic.js';
import { json } from './fake-native.js';

type Json = Record<string, unknown>;

export interface Doc {
  title: string;
  relative_path: string;
  content: string;
}

export class FakeAidb extends FakeService {
  readonly searches: Json[] = [];
  docs: Doc[] = [
    { title: 'Flake inputs', relative_path: 'docs/flakes.md', content: 'AIDB-CONTEXT-MARKER: the stack pins nixpkgs in flake.lock.' },
    { title: 'Services', relative_path: 'docs/services.md', content: 'The coordinator listens on port 8092.' },
  ];
  mode: 'ok' | 'slow' | 'error' = 'ok';

  reset(): void {
    this.searches.length = 0;
    this.upstream.received.length = 0;
    this.mode = 'ok';
  }

  protected async handle(req: Received, res: ServerResponse): Promise<void> {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/health') return json(res, 200, { status: 'ok', database: 'ok', redis: 'ok', pgvector: 'ok', llama_cpp: 'ok' });
    if (req.method !== 'POST' || path !== '/vector/search') return json(res, 404, { detail: 'Not Found' });
    const body = JSON.parse(req.body.toString('utf8')) as Json;
    this.searches.push(body);
    if (typeof body.query !== 'string' && body.embedding === undefined) return json(res, 400, { detail: 'query or embedding required' });
    if (this.mode === 'error') return json(res, 500, { detail: 'pgvector unavailable' });
    if (this.mode === 'slow') await Promise.race([sleep(5_000), req.closed]);
    if (res.destroyed) return;
    const limit = Number(body.limit ?? 5);
    const results = this.docs.slice(0, limit).map((doc, i) => ({ id: i + 1, document_id: `doc-${i + 1}`, chunk_id: `c${i + 1}`, ...doc, metadata: {}, score: 0.9 - i / 10, project: 'default', distance: 0.1 + i / 10 }));
    return json(res, 200, { results, limit });
  }
}

import type { Config } from '../config/schema.js';
import { isObject, type Json } from '../shared/json.js';
import { Upstream } from '../upstream/client.js';
import { classifyNetworkError } from '../upstream/failure.js';
import { judgeHealth, type ProbeResult } from '../upstream/probe.js';

/** One search result, as much of it as the context block uses. */
export interface AidbHit {
  title: string | null;
  path: string | null;
  content: string;
}

/** Why a search gave nothing; never fails the request. */
export class RetrievalError extends Error {
  override readonly name = 'RetrievalError';
  constructor(
    readonly reason: 'timeout' | 'unreachable' | 'http_error' | 'malformed',
    message: string,
  ) {
    super(message);
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The AIDB knowledge base: `POST /vector/search {query, limit, project?}` and `GET /health`. */
export class AidbClient {
  private readonly upstream: Upstream;

  constructor(private readonly rag: Config['rag']) {
    this.upstream = new Upstream(rag.url, { connectTimeoutMs: rag.timeoutMs });
  }

  get url(): string {
    return this.rag.url;
  }

  /** Searches within rag.timeoutMs; rejects with RetrievalError. */
  async search(query: string, signal: AbortSignal): Promise<AidbHit[]> {
    const deadline = AbortSignal.timeout(this.rag.timeoutMs);
    const body: Json = { query, limit: this.rag.limit };
    if (this.rag.project !== null) body.project = this.rag.project;
    let parsed: unknown;
    try {
      const response = await this.upstream.request('/vector/search', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, deadline]),
      });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new RetrievalError('http_error', `AIDB answered HTTP ${response.statusCode}`);
      parsed = JSON.parse(text);
    } catch (error) {
      if (error instanceof RetrievalError) throw error;
      if (error instanceof SyntaxError) throw new RetrievalError('malformed', 'AIDB answered with something that is not JSON');
      if (deadline.aborted) throw new RetrievalError('timeout', `AIDB gave no results within rag.timeoutMs (${this.rag.timeoutMs} ms)`);
      if (signal.aborted) throw error;
      throw new RetrievalError('unreachable', `AIDB at ${this.rag.url}: ${classifyNetworkError(error).detail}`);
    }
    const results = isObject(parsed) && Array.isArray(parsed.results) ? parsed.results : null;
    if (!results) throw new RetrievalError('malformed', 'AIDB answered without a results list');
    return results.flatMap((r): AidbHit[] => {
      if (!isObject(r) || typeof r.content !== 'string' || r.content.trim() === '') return [];
      return [{ title: str(r.title), path: str(r.relative_path) ?? str(r.document_id), content: r.content }];
    });
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    const judge = judgeHealth({ httpError: `check rag.url (${this.rag.url})`, unhealthy: 'AIDB reports a problem (database, pgvector or embeddings): look at its logs' });
    return this.upstream.probe('/health', judge, { timeoutMs: 3_000, signal }).then((result) =>
      result.ok || result.fix ? result : { ...result, fix: `start AIDB at ${this.rag.url}, fix rag.url (or AIDB_MCP_URL), or set rag.enabled: false` },
    );
  }

  close(): Promise<void> {
    return this.upstream.close();
  }
}

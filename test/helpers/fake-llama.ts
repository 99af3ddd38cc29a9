// llama.cpp's llama-server as init and doctor see it: /v1/models entries carry `meta` with the context
// it runs (n_ctx) and was trained for (n_ctx_train); /v1/messages answers like the strict native fake.

import type { ServerResponse } from 'node:http';
import type { Received } from './fake-anthropic.js';
import { FakeNative } from './fake-native.js';

export class FakeLlamaServer extends FakeNative {
  constructor(readonly nCtx: number, model = 'tiny-qwen3') {
    super({ model });
  }

  protected override async handle(req: Received, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url.split('?')[0] === '/v1/models') {
      const entry = { id: this.model, object: 'model', created: 1764547200, owned_by: 'llamacpp', meta: { vocab_type: 2, n_vocab: 151936, n_ctx_train: 40960, n_ctx: this.nCtx, n_embd: 128, n_params: 45000000, size: 90000000 } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [entry] }));
      return;
    }
    return super.handle(req, res);
  }
}

/** An Ollama as discovery sees it: /api/version, /api/tags, /api/show (num_ctx only when set). */
export class FakeOllama extends FakeNative {
  constructor(readonly numCtx: number | null, model = 'qwen3:8b') {
    super({ model });
  }

  protected override async handle(req: Received, res: ServerResponse): Promise<void> {
    const path = req.url.split('?')[0];
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/api/version') return send({ version: '0.14.2' });
    if (req.method === 'GET' && path === '/api/tags') return send({ models: [{ name: this.model, model: this.model, size: 5200000000 }] });
    if (req.method === 'POST' && path === '/api/show') {
      return send({ parameters: this.numCtx === null ? 'temperature 0.6' : `num_ctx ${this.numCtx}\ntemperature 0.6`, model_info: { 'general.architecture': 'qwen3', 'qwen3.context_length': 40960 } });
    }
    if (req.method === 'GET' && path === '/v1/models') return send({ object: 'list', data: [{ id: this.model, object: 'model', created: 1764547200, owned_by: 'library' }] });
    return super.handle(req, res);
  }
}

import type { Config } from '../../config/schema.js';
import { Upstream } from '../../upstream/client.js';

/** The software behind a local URL, as far as its answers tell. */
export type ServerFamily = 'llama.cpp' | 'ollama' | 'vllm' | 'lm-studio' | 'coordinator' | 'openai-compatible';

export interface DiscoveredModel {
  id: string;
  /** The context window the server runs the model with, in tokens, when the server says. */
  contextWindow: number | null;
  /** What the model was trained for, when only that is known (Ollama without num_ctx). */
  trainedContext: number | null;
}

export interface DiscoveredServer {
  url: string;
  family: ServerFamily;
  /** The local.kind that talks to it. */
  kind: Config['local']['kind'];
  models: DiscoveredModel[];
  /** Something the user should know before relying on it. */
  note: string | null;
}

/** Where local servers listen by default. */
export const WELL_KNOWN: readonly { port: number; family: ServerFamily }[] = [
  { port: 11434, family: 'ollama' },
  { port: 8080, family: 'llama.cpp' },
  { port: 8000, family: 'vllm' },
  { port: 1234, family: 'lm-studio' },
  { port: 8092, family: 'coordinator' },
];

export const wellKnownUrls = (): string[] => WELL_KNOWN.map((w) => `http://127.0.0.1:${w.port}`);

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const positive = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);

/** One JSON document from a server, or null for anything else (refused, timed out, not 200, not JSON). */
type GetJson = (path: string, post?: unknown) => Promise<Json | null>;

function jsonGetter(server: Upstream, timeoutMs: number): GetJson {
  return async (path, post) => {
    try {
      const response = await server.request(path, {
        method: post === undefined ? 'GET' : 'POST',
        ...(post === undefined ? {} : { body: JSON.stringify(post), headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        return null;
      }
      const body: unknown = await response.body.json();
      return isJson(body) ? body : null;
    } catch {
      return null;
    }
  };
}

const model = (id: string, contextWindow: number | null, trainedContext: number | null = null): DiscoveredModel => ({ id, contextWindow, trainedContext });

// Ollama runs a model with num_ctx (a Modelfile parameter, or OLLAMA_CONTEXT_LENGTH on the server),
// not with the length it was trained for; only the parameter is visible from outside.
async function ollamaModel(getJson: GetJson, id: string): Promise<DiscoveredModel> {
  const show = await getJson('/api/show', { model: id });
  const parameters = typeof show?.parameters === 'string' ? show.parameters : '';
  const numCtx = /^num_ctx\s+(\d+)/m.exec(parameters)?.[1];
  const info = isJson(show?.model_info) ? show.model_info : {};
  const trained = Object.entries(info).find(([key]) => key.endsWith('.context_length'))?.[1];
  return model(id, numCtx ? Number(numCtx) : null, positive(trained));
}

// Only Ollama answers /api/version (llama.cpp imitates /api/tags and /api/show, not that).
async function ollama(base: string, getJson: GetJson): Promise<DiscoveredServer | null> {
  const version = await getJson('/api/version');
  if (typeof version?.version !== 'string') return null;
  const tags = await getJson('/api/tags');
  if (!tags || !Array.isArray(tags.models)) return null;
  const ids = tags.models.flatMap((m: unknown) => (isJson(m) && typeof m.name === 'string' ? [m.name] : []));
  const models = await Promise.all(ids.slice(0, 20).map((id) => ollamaModel(getJson, id)));
  const unsized = models.some((m) => m.contextWindow === null);
  return {
    url: base,
    family: 'ollama',
    kind: 'anthropic',
    models,
    note: unsized ? 'Ollama runs models with its default context (often 4096) unless num_ctx or OLLAMA_CONTEXT_LENGTH says more; Claude Code turns need about 32768' : null,
  };
}

async function coordinator(base: string, getJson: GetJson): Promise<DiscoveredServer | null> {
  const health = await getJson('/health');
  if (!health || (health.status !== 'healthy' && health.status !== 'ok')) return null;
  return { url: base, family: 'coordinator', kind: 'coordinator', models: [], note: null };
}

/** One /v1/models entry: llama.cpp says meta.n_ctx, vLLM max_model_len, LM Studio (on /api/v0) loaded_context_length. */
function listedModel(entry: Json): DiscoveredModel | null {
  if (typeof entry.id !== 'string') return null;
  const meta = isJson(entry.meta) ? entry.meta : {};
  const window = positive(meta.n_ctx) ?? positive(entry.max_model_len) ?? positive(entry.loaded_context_length);
  return model(entry.id, window, positive(meta.n_ctx_train) ?? positive(entry.max_context_length));
}

function familyOf(entries: Json[], lmStudio: boolean): ServerFamily {
  if (lmStudio) return 'lm-studio';
  if (entries.some((e) => isJson(e.meta) && 'n_ctx_train' in e.meta) || entries.some((e) => e.owned_by === 'llamacpp')) return 'llama.cpp';
  if (entries.some((e) => 'max_model_len' in e) || entries.some((e) => e.owned_by === 'vllm')) return 'vllm';
  return 'openai-compatible';
}

async function modelList(base: string, getJson: GetJson): Promise<DiscoveredServer | null> {
  const [listed, lmStudio] = await Promise.all([getJson('/v1/models'), getJson('/api/v0/models')]);
  if (!listed || !Array.isArray(listed.data)) return null;
  const richer = lmStudio && Array.isArray(lmStudio.data) ? lmStudio.data : listed.data;
  const entries = richer.filter(isJson);
  const family = familyOf(entries, richer !== listed.data);
  const models = entries.map(listedModel).filter((m): m is DiscoveredModel => m !== null);
  // llama.cpp and Ollama speak /v1/messages natively; the others are safest through chat completions.
  return { url: base, family, kind: family === 'llama.cpp' ? 'anthropic' : 'openai', models, note: null };
}

/**
 * What answers at one base URL: its software, the local.kind for it, its models and the context
 * window each runs with. Null when nothing answers like a model server within `timeoutMs`.
 */
export async function discoverAt(url: string, timeoutMs = 1_500): Promise<DiscoveredServer | null> {
  const base = url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const server = new Upstream(base, { connectTimeoutMs: timeoutMs });
  const getJson = jsonGetter(server, timeoutMs);
  try {
    const listed = await modelList(base, getJson);
    if (listed && listed.family !== 'openai-compatible') return listed;
    return (await ollama(base, getJson)) ?? listed ?? (await coordinator(base, getJson));
  } finally {
    await server.close();
  }
}

/** Probes every URL at once; returns the servers that answered, in the order given. */
export async function discoverAll(urls: readonly string[], timeoutMs = 1_500): Promise<DiscoveredServer[]> {
  const found = await Promise.all(urls.map((url) => discoverAt(url, timeoutMs)));
  return found.filter((s): s is DiscoveredServer => s !== null);
}

/** The context window a server runs `modelId` with (or its only model), when it says. */
export function windowFor(server: DiscoveredServer, modelId: string): number | null {
  const exact = server.models.find((m) => m.id === modelId);
  const only = server.models.length === 1 ? server.models[0] : undefined;
  return (exact ?? only)?.contextWindow ?? null;
}

import type { Config } from '../../config/schema.js';
import { isObject, type Json } from '../../shared/json.js';
import { Upstream } from '../../upstream/client.js';
import { isHealthyStatus } from '../../upstream/probe.js';

/** The software behind a local URL, as far as its answers tell. */
export type ServerFamily = 'llama.cpp' | 'ollama' | 'vllm' | 'lm-studio' | 'coordinator' | 'openai-compatible';

export interface DiscoveredModel {
  id: string;
  /** The context window the server runs the model with, in tokens, when the server says. */
  contextWindow: number | null;
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

/** Where local servers listen by default: Ollama, llama.cpp, vLLM, LM Studio, the coordinator. */
const WELL_KNOWN_PORTS = [11434, 8080, 8000, 1234, 8092] as const;

export const wellKnownUrls = (): string[] => WELL_KNOWN_PORTS.map((port) => `http://127.0.0.1:${port}`);

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
      return isObject(body) ? body : null;
    } catch {
      return null;
    }
  };
}


// Ollama runs a model with num_ctx (a Modelfile parameter, or OLLAMA_CONTEXT_LENGTH on the server),
// not with the length it was trained for; only the parameter is visible from outside.
async function ollamaModel(getJson: GetJson, id: string): Promise<DiscoveredModel> {
  const show = await getJson('/api/show', { model: id });
  const parameters = typeof show?.parameters === 'string' ? show.parameters : '';
  const numCtx = /^num_ctx\s+(\d+)/m.exec(parameters)?.[1];
  return { id, contextWindow: numCtx ? Number(numCtx) : null };
}

// Only Ollama answers /api/version (llama.cpp imitates /api/tags and /api/show, not that).
async function ollama(base: string, getJson: GetJson): Promise<DiscoveredServer | null> {
  const version = await getJson('/api/version');
  if (typeof version?.version !== 'string') return null;
  const tags = await getJson('/api/tags');
  if (!tags || !Array.isArray(tags.models)) return null;
  const ids = tags.models.flatMap((m: unknown) => (isObject(m) && typeof m.name === 'string' ? [m.name] : []));
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
  if (!health || !isHealthyStatus(health.status)) return null;
  return { url: base, family: 'coordinator', kind: 'coordinator', models: [], note: null };
}

/** One /v1/models entry: llama.cpp says meta.n_ctx, vLLM max_model_len, LM Studio (on /api/v0) loaded_context_length. */
function listedModel(entry: Json): DiscoveredModel | null {
  if (typeof entry.id !== 'string') return null;
  const meta = isObject(entry.meta) ? entry.meta : {};
  const window = positive(meta.n_ctx) ?? positive(entry.max_model_len) ?? positive(entry.loaded_context_length);
  return { id: entry.id, contextWindow: window };
}

function familyOf(entries: Json[], lmStudio: boolean): ServerFamily {
  if (lmStudio) return 'lm-studio';
  if (entries.some((e) => isObject(e.meta) && 'n_ctx_train' in e.meta) || entries.some((e) => e.owned_by === 'llamacpp')) return 'llama.cpp';
  if (entries.some((e) => 'max_model_len' in e) || entries.some((e) => e.owned_by === 'vllm')) return 'vllm';
  return 'openai-compatible';
}

async function modelList(base: string, getJson: GetJson): Promise<DiscoveredServer | null> {
  const [listed, lmStudio] = await Promise.all([getJson('/v1/models'), getJson('/api/v0/models')]);
  if (!listed || !Array.isArray(listed.data)) return null;
  const richer = lmStudio && Array.isArray(lmStudio.data) ? lmStudio.data : listed.data;
  const entries = richer.filter(isObject);
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

// `npm run bench:llama`: the local route measured against a real llama-server (scripts/llama/): the
// same prompts sent to the server directly, through a minimal pipe and through the proxy. Writes
// bench/LLAMA-RESULTS.md; the options are in USAGE.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { MessagesRequest, TextBlock } from '../src/anthropic/types.js';
import { resolveConfig } from '../src/config/load.js';
import { ASKED_CHARS } from '../src/routing/prompt-parts.js';
import { prepareLocal } from '../src/backends/local/prepare.js';
import { billingBlock, claudeCodeHeaders, mainRequest, toolResultRequest } from '../test/fixtures/claude-code.js';
import { typedPrompt } from './requests.js';
import { LLAMA_MODEL, LLAMA_SERVER_BIN, LLAMA_SIZED_MODEL, LLAMA_VERSION, MODEL_ALIAS, startLlamaServer, type LlamaServer } from '../test/llama/llama-server.js';
import { HEADER } from '../src/shared/headers.js';
import { withBlock } from './kept-blocks.js';
import { benchOptions, countOption, refuse } from './options.js';
import { startPipe, startProxy, type BenchProcess } from './proxy.js';
import type { Stage, StageTimes } from './stages.js';
import { summarize } from './stats.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CLI = here('../bundle/cli.js');
const REPO = here('../../');
const CONTEXT = 32_768;
/** The model name the prompt-cache section sends, routed local by name (see conversation()). */
const ALIAS = 'claude-local';

const USAGE = `usage: npm run bench:llama -- [options]
  --rounds N              TTFT samples per target with the tiny model (default 40)
  --sized-rounds N        the same with the model of Qwen3-0.6B's size (default 20)
  --only ttft|sized       the tiny model's TTFT tables alone, or the sized model's, printed
                          (written only with --out)
  --profile DIR           a CPU profile of the proxy
  --baseline DIR          another build's dist/bundle: its proxy measured in the same loop
  --baseline-label TEXT   its name in the table (default baseline)
  --out FILE              where the results go (default bench/LLAMA-RESULTS.md)
`;
const options = benchOptions(
  { rounds: { type: 'string', default: '40' }, 'sized-rounds': { type: 'string', default: '20' }, only: { type: 'string' }, profile: { type: 'string' }, baseline: { type: 'string' }, 'baseline-label': { type: 'string', default: 'baseline' }, out: { type: 'string' } },
  USAGE,
);
if (options.only !== undefined && options.only !== 'ttft' && options.only !== 'sized') refuse(`--only takes ttft or sized, not ${JSON.stringify(options.only)}`, USAGE);
/** The default local.maxOutputTokens, and the caps it had before, for the tool-call table. */
const DEFAULT_CAP = resolveConfig({}, { HOME: tmpdir() }).local.maxOutputTokens;
const CAPS = [2048, 8192, DEFAULT_CAP];
// A partial run only prints, unless told where to write.
const OUT = options.out ?? (options.only ? null : join(REPO, 'bench', 'LLAMA-RESULTS.md'));
const TINY: Plan = { warmup: 20, rounds: countOption(options.rounds, 'rounds', USAGE), maxTokens: 8 };
// A token of this model takes about half a second here, so its answers stop at the first.
const SIZED: Plan = { warmup: 5, rounds: countOption(options['sized-rounds'], 'sized-rounds', USAGE), maxTokens: 1 };
/** The first prefill of the sized model's Claude Code turn: about five minutes on two cores. */
const PREFILL_TIMEOUT_MS = 20 * 60_000;
/** A pause between requests, so that neither side's work after an answer overlaps the next measurement. */
const PAUSE_MS = 10;

/** How each target of a model's rows is measured. */
interface Plan {
  /** Requests before the samples, after the one that fills the prompt cache: the proxy's JIT settles. */
  warmup: number;
  rounds: number;
  /** The answers' max_tokens: only the first token is timed. */
  maxTokens: number;
}

interface Usage {
  input_tokens: number;
  cache_read_input_tokens?: number;
}

/** Sends one streamed request; the time to the first content delta and the final usage. */
async function streamOnce(url: string, body: MessagesRequest, headers: Record<string, string>, timeoutMs?: number): Promise<{ ttftMs: number; usage: Usage }> {
  const started = performance.now();
  const timeouts = timeoutMs === undefined ? {} : { headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  const res = await request(`${url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify({ ...body, stream: true }), ...timeouts });
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${await res.body.text()}`);
  // Only a proxy names a route; one that did not route local would measure something else.
  const route = res.headers[HEADER.route];
  if (route !== undefined && route !== 'local') throw new Error(`${url} routed the request ${String(route)} (${String(res.headers[HEADER.reason])})`);
  let ttftMs: number | null = null;
  let text = '';
  for await (const chunk of res.body) {
    text += String(chunk);
    if (ttftMs === null && text.includes('event: content_block_delta')) ttftMs = performance.now() - started;
  }
  const usage: Usage = { input_tokens: 0 };
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const event = JSON.parse(line.slice(6)) as { type: string; message?: { usage?: Usage }; usage?: Partial<Usage> };
    if (event.type === 'message_start' && event.message?.usage) Object.assign(usage, event.message.usage);
    if (event.type === 'message_delta' && event.usage) Object.assign(usage, Object.fromEntries(Object.entries(event.usage).filter(([, v]) => typeof v === 'number' && v > 0)));
  }
  if (ttftMs === null) throw new Error(`${url} sent no content delta`);
  return { ttftMs, usage };
}

const cacheShare = (u: Usage) => (u.cache_read_input_tokens ?? 0) / ((u.cache_read_input_tokens ?? 0) + u.input_tokens);
const promptTokens = (u: Usage) => (u.cache_read_input_tokens ?? 0) + u.input_tokens;

const prepareSettings = (tools: 'auto' | 'never') => {
  const config = resolveConfig({ local: { kind: 'anthropic', model: MODEL_ALIAS, contextWindow: CONTEXT, maxOutputTokens: 8192, tools } }, { HOME: tmpdir() });
  return { local: config.local, answerReserveTokens: config.routing.answerReserveTokens, capabilities: { tools: true, jsonSchema: 'instruction' as const } };
};

/** What the proxy sends llama-server for a client request (the same code, in process). */
function prepared(original: MessagesRequest, tools: 'auto' | 'never' = 'auto'): MessagesRequest {
  return prepareLocal(original, prepareSettings(tools), null).request.body;
}

/** The prepared body with Claude Code's billing block put back in front: the proxy without its strip. */
function withBilling(body: MessagesRequest, nonce: string): MessagesRequest {
  return { ...body, system: [billingBlock(nonce), ...((body.system ?? []) as TextBlock[])] };
}

function conversation(nonce: string, prompt: string): [MessagesRequest, MessagesRequest] {
  // The second turn answers a tool call this bench made up, which the router never saw the local
  // route make (it pins the calls it served): the alias sends both turns local.
  const first = { ...mainRequest(prompt, { nonce, model: ALIAS }), max_tokens: 16 };
  const second = { ...toolResultRequest(prompt), model: ALIAS, max_tokens: 16 };
  second.system = first.system;
  return [first, second];
}

/** The proxy with its local route on llama-server (anthropic kind) and nothing listening for the remote. */
const startLlamaProxy = (dir: string, llamaUrl: string, cli: string, trace: { profileDir?: string; stagesFile?: string } = {}): Promise<BenchProcess> =>
  startProxy({
    cli,
    dir,
    config: (port) => ({
      remote: { url: 'http://127.0.0.1:9' },
      local: { kind: 'anthropic', url: llamaUrl, model: MODEL_ALIAS, contextWindow: CONTEXT, maxOutputTokens: 8192, aliases: [ALIAS] },
      rag: { enabled: false },
      telemetry: { dir: join(dir, `telemetry-${port}`) },
      state: { dir: join(dir, `state-${port}`) },
      log: { level: 'warn' },
    }),
    ...(trace.profileDir === undefined ? {} : { cpuProfDir: trace.profileDir }),
    ...(trace.stagesFile === undefined ? {} : { stagesFile: trace.stagesFile }),
    stderr: 'inherit',
  });

/** Where the traced proxy's time goes, a column per span of SPANS. */
const SPAN_NAMES = [
  'body read',
  'parse, decide, prepare, serialise',
  'undici: to the server, body written',
  'llama-server: to its first delta',
  'first delta → written to the client',
];
const TTFT_INTRO =
  `Same server, same prompt: direct gets the exact body the proxy prepares, both get Claude Code's headers and \`stream: true\`; time to the first \`content_block_delta\` as the client reads it (llama-server, too, sends \`message_start\` with the first token). Each round is started by the next target, ${PAUSE_MS} ms between requests. The ms columns are medians with the middle half in brackets; added ms and ratio are the medians of each round's difference and ratio to direct in the same round (the targets of a round are measured within a fraction of a second, so the machine's slower swings cancel; the ratio of two medians moved by more than 0.1× between runs here). \`-t 2\` gives the model both cores of this machine, so the client and the proxy wait for a core; \`-t 1\` leaves them one. pipe+parse is \`bench/pipe.ts\` in a process of its own, measured in the same loop: fastify, the body parsed, the same bytes forwarded over one pool with the proxy's spare connection, the answer piped back; the least any relay in a second process adds here. The second table of each model is where the time goes (below).`;
const TINY_NOTE =
  'The model the tests use. Its forward pass is a small fraction of any real model\'s, so its times to first token are mostly the server\'s own work around the model: the template, the tokenizer, the prompt cache, one decode. Every fixed millisecond a relay adds weighs here as it will nowhere else.';
const SIZED_NOTE =
  "Random weights again, in the dimensions of the smallest Qwen3 release (1024 wide, 28 layers, 16 heads, 8 key-value heads, FFN 3072) and stored as Q8_0, the format of Qwen's own GGUF of that size: the server computes what that model would. Every answer stops at its first token (`max_tokens: 1`). Any model a user would run for Claude Code is larger, and slower to its first token.";
const STAGES_NOTE =
  "Where the time goes, measured in the same loop on one more process of this build's proxy, with `bench/stages.ts` preloaded: timestamps from Node's and undici's diagnostics channels (the request's headers and body received, the request handed to undici, its body written, the first chunk from llama-server that carries a content delta) and the proxy's first write of a delta to its client; ms from one to the next, median and middle half, the same rounds. The first three spans and the last are the proxy's (direct, the server reads the body itself); `llama-server: to its first delta` is the server's own time (the prompt read, templated, tokenized and matched to its cache, the first token decoded), which direct pays the same.";

/** What was found profiling the proxy (CPU profiles from --profile, stage timestamps, strace) and what was changed. */
const TTFT_NOTES = [
  'Found and fixed: llama-server closes its connection after every streamed answer, and undici\'s Agent then dropped its pool for the origin, so every request built a new pool, client and TCP connection and waited for the server to accept it; the local backend now keeps one pool and opens the next connection as the last one closes (`src/upstream/spare-connection.ts`), while a direct client still connects per request. The background refresh of the health probe (every `local.healthCacheMs`) took that spare connection, so the request it was made for waited for a new one (at Claude Code\'s pace, requests seconds apart, nearly every request): probes now have a connection of their own, and none is started on a request\'s way at all: a healthy backend is judged by the requests it serves, and probed at once after a failed one. Joining the caller\'s abort signal with `AbortSignal.any` cost about 20 µs a request; a listener does it. The task classifier\'s vocabulary lists put their head (a word boundary, or a sentence start) before every term, so V8 tested it for every term at every character of the prompt: a first turn with 4,000 characters typed took 5.5 ms to decide, a tenth of the tiny model\'s time to first token on that turn (the short questions timed before took a few hundredths of a millisecond); each head now stands once before its group of terms, 0.25 ms (`node dist/bench/decide.js`). The bench itself is fair on the prompt, the stream flag and the first token (llama-server, too, sends `message_start` only with its first token), sends the same headers both ways, rotates the order, pauses between requests, fills the prompt cache and warms up before it measures.',
  '',
  'Looked for and not found: one cost that stands out. Finer timestamps (a scratch build with marks at every step) split the proxy\'s part of a Claude Code turn into some twenty steps of 10 to 220 µs each: parsing and checking the 48 kB body is the largest, then the decision, the serialisation of the prepared body, undici\'s request object and its copy of the body, the spare connection handed over, the SSE records parsed and normalised. The same code warm and back to back in one process takes a quarter of the time: requests tens of milliseconds apart find it out of the CPU caches. The async generators on the answer\'s way cost no measurable time (a scratch micro-benchmark carrying three events through one layer or through six: 17–19 µs either way).',
  '',
  'What is left is the second process: each request and each token make two more hops between processes, on a machine whose two cores, with `-t 2`, are both the model\'s. The pipe+parse columns measure that floor in the same loop: a relay that only parses the body and forwards the bytes, over the same spare connection. Where the floor itself is above 1.05×, no relay in a second process meets the goal on this machine; what the proxy adds of its own is its column less the pipe\'s.',
];

const pause = () => new Promise((r) => setTimeout(r, PAUSE_MS));

/**
 * The relays measured: this build's proxy, the least a relay can do (pipe+parse), and a baseline
 * build's proxy when --baseline names one; and this build's proxy once more with stages.ts preloaded,
 * whose timestamps make the stage table (its own times to first token are not reported).
 */
interface Proxies {
  current: string;
  pipe: string;
  baseline: string | null;
  traced: { url: string; stagesFile: string };
}

/** One row of each TTFT table: the ratios, and where the traced proxy's time went; and the row of the goals table. */
interface TtftRows {
  ratios: string;
  stages: string;
  goal: (model: string) => string;
}

/** The spans of the stage table: from one timestamp of stages.ts to the next. */
const SPANS: { from: Stage | null; to: Stage }[] = [
  { from: null, to: 'bodyEnd' },
  { from: 'bodyEnd', to: 'dispatched' },
  { from: 'dispatched', to: 'bodySent' },
  { from: 'bodySent', to: 'firstDelta' },
  { from: 'firstDelta', to: 'relayed' },
];
/** How long the traced proxy may take to append its last request's line after the answer ended. */
const STAGES_WAIT_MS = 2_000;

/** The stage lines of a row's `count` requests, once the traced proxy has written them all. */
async function readStages(file: string, count: number): Promise<StageTimes[]> {
  const deadline = Date.now() + STAGES_WAIT_MS;
  for (;;) {
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
    if (lines.length >= count) return lines.map((line) => JSON.parse(line) as StageTimes);
    if (Date.now() > deadline) throw new Error(`the traced proxy wrote ${lines.length} of ${count} stage lines`);
    await pause();
  }
}

function stageRow(label: string, times: StageTimes[]): string {
  const cells = SPANS.map(({ from, to }) => {
    const spans = times.flatMap((t) => {
      const end = t[to];
      const start = from === null ? 0 : t[from];
      return end === undefined || start === undefined ? [] : [end - start];
    });
    if (spans.length < times.length) throw new Error(`${times.length - spans.length} traced requests lack the ${to} timestamp`);
    const q = quartiles(spans);
    return `${q.median.toFixed(2)} (${q.low.toFixed(2)}–${q.high.toFixed(2)})`;
  });
  return `| ${label} | ${cells.join(' | ')} |`;
}

async function ttft(label: string, llama: LlamaServer, proxies: Proxies, original: MessagesRequest, plan: Plan): Promise<TtftRows> {
  const direct = prepared(original);
  // The same headers both ways (llama-server ignores Claude Code's); only the body differs: the server gets the prepared one.
  const headers = claudeCodeHeaders();
  const target = (url: string, body: MessagesRequest) => ({ url, body, samples: [] as number[] });
  const server = target(llama.url, direct);
  const proxy = target(proxies.current, original);
  // The pipe forwards what it is sent: it gets the prepared body, as the server does direct.
  const pipe = target(proxies.pipe, direct);
  const baseline = proxies.baseline === null ? null : target(proxies.baseline, original);
  const traced = target(proxies.traced.url, original);
  const targets = [server, proxy, pipe, ...(baseline === null ? [] : [baseline]), traced];
  // The traced proxy's file holds this row's requests alone (the last row's lines were all read).
  await writeFile(proxies.traced.stagesFile, '');
  // The prompt cache filled first, straight at the server, however long its prefill takes.
  await streamOnce(llama.url, direct, headers, PREFILL_TIMEOUT_MS);
  for (let i = 0; i < plan.warmup + plan.rounds; i++) {
    // Each round starts with the next target, so that no target always follows the same one.
    for (let k = 0; k < targets.length; k++) {
      const next = targets[(i + k) % targets.length];
      if (next === undefined) continue;
      const { ttftMs } = await streamOnce(next.url, next.body, headers);
      if (i >= plan.warmup) next.samples.push(ttftMs);
      await pause();
    }
  }
  // Each round measures every target within a fraction of a second, so a round's ratio and difference
  // to direct are untouched by the machine's slower swings; the medians of those are reported.
  const vsDirect = (t: { samples: number[] }) => {
    const base = (i: number) => server.samples[i] ?? Number.NaN;
    return {
      ms: quartiles(t.samples),
      addedMs: quartiles(t.samples.map((v, i) => v - base(i))).median,
      ratio: quartiles(t.samples.map((v, i) => v / base(i))).median,
    };
  };
  const cell = (q: Quartiles) => `${q.median.toFixed(1)} (${q.low.toFixed(1)}–${q.high.toFixed(1)})`;
  const cells = (c: ReturnType<typeof vsDirect>) => `${cell(c.ms)} | ${c.addedMs >= 0 ? '+' : ''}${c.addedMs.toFixed(1)} | ${c.ratio.toFixed(3)}×`;
  const ofProxy = vsDirect(proxy);
  const before = baseline === null ? '' : ` ${cells(vsDirect(baseline))} |`;
  const stages = stageRow(label, (await readStages(proxies.traced.stagesFile, plan.warmup + plan.rounds)).slice(plan.warmup));
  const met = ofProxy.ratio <= 1.05 ? '**met**' : '**not met**';
  const ratios = `| ${label} | ${cell(quartiles(server.samples))} | ${cells(vsDirect(pipe))} | ${cells(ofProxy)} | ${met} |${before}`;
  const floor = vsDirect(pipe).ratio;
  const goal = (model: string) =>
    `| time to first token ≤ 1.05× direct: ${model}, ${label} | ${ofProxy.ms.median.toFixed(1)} vs ${quartiles(server.samples).median.toFixed(1)} ms, ${ofProxy.ratio.toFixed(3)}× (pipe+parse ${floor.toFixed(3)}×) | ${met} |`;
  return { ratios, stages, goal };
}

interface Quartiles {
  low: number;
  median: number;
  high: number;
}

/** The median and the middle half (25th to 75th percentile) of a sample. */
function quartiles(values: number[]): Quartiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { low: at(0.25), median: at(0.5), high: at(0.75) };
}

/** The repository's own text files: what Claude Code's Write and Edit calls carry when it works here. */
async function repoFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await repoFiles(path)));
    else if (/\.(ts|md|nix|sh|mjs|py)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Tokens of Write (whole file) and Edit (15 lines replaced by 25) calls over the repository's files. */
async function toolCallSizes(llamaUrl: string): Promise<string[]> {
  const count = async (value: unknown) => {
    const res = await request(`${llamaUrl}/tokenize`, { method: 'POST', body: JSON.stringify({ content: JSON.stringify(value) }) });
    return ((await res.body.json()) as { tokens: unknown[] }).tokens.length;
  };
  const writes: number[] = [];
  const edits: number[] = [];
  for (const file of await repoFiles(REPO)) {
    const content = await readFile(file, 'utf8');
    const file_path = `/home/user/project/${file.slice(REPO.length)}`;
    writes.push(await count({ name: 'Write', arguments: { file_path, content } }));
    const lines = content.split('\n');
    if (lines.length > 40) {
      const at = Math.floor(lines.length / 3);
      const old_string = lines.slice(at, at + 15).join('\n');
      edits.push(await count({ name: 'Edit', arguments: { file_path, old_string, new_string: `${old_string}\n${lines.slice(at, at + 10).join('\n')}` } }));
    }
  }
  const row = (name: string, sizes: number[]) => {
    const s = summarize(sizes);
    const over = (n: number) => `${Math.round((sizes.filter((v) => v > n).length / sizes.length) * 100)} %`;
    return `| ${name} | ${sizes.length} | ${Math.round(s.p50)} | ${Math.round(s.p90)} | ${Math.round(s.p99)} | ${Math.max(...sizes)} | ${CAPS.map(over).join(' | ')} |`;
  };
  return [
    `| call | calls | p50 | p90 | p99 | max | ${CAPS.map((cap) => `over ${cap}`).join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ${CAPS.map(() => '---:').join(' | ')} |`,
    row('Write (a whole file)', writes),
    row('Edit (15 lines → 25)', edits),
  ];
}

/** A llama-server and the proxies in front of it, for the length of `use`. */
async function withServers<T>(dir: string, threads: number, use: (llama: LlamaServer, proxies: Proxies) => Promise<T>, model = LLAMA_MODEL): Promise<T> {
  const llama = await startLlamaServer({ contextSize: CONTEXT, threads, model });
  const started: BenchProcess[] = [];
  try {
    const current = await startLlamaProxy(dir, llama.url, CLI, options.profile === undefined ? {} : { profileDir: options.profile });
    started.push(current);
    const stagesFile = join(dir, `stages-t${threads}.jsonl`);
    const traced = await startLlamaProxy(dir, llama.url, CLI, { stagesFile });
    started.push(traced);
    const baseline = options.baseline === undefined ? null : await startLlamaProxy(dir, llama.url, join(options.baseline, 'cli.js'));
    if (baseline) started.push(baseline);
    // The least any relay in a second process costs here: the body parsed, the bytes forwarded over
    // the proxy's spare connection, the answer piped back.
    const pipe = await startPipe({ role: 'pipe-parse', upstream: llama.url, spare: true });
    started.push(pipe);
    return await use(llama, { current: current.url, pipe: pipe.url, baseline: baseline?.url ?? null, traced: { url: traced.url, stagesFile } });
  } finally {
    // A CPU profile is written as the proxy exits.
    await Promise.all(started.map((running) => running.stop()));
    await llama.stop();
  }
}

/** The ratio table and the stage table of some TTFT rows. */
function ttftTables(rows: TtftRows[], plan: Plan): string[] {
  const label = options['baseline-label'];
  const baselineColumns = options.baseline === undefined ? ['', ''] : [` ${label} ms | added ms | ratio |`, ' ---: | ---: | ---: |'];
  const baselineNote = options.baseline === undefined ? [] : ['', `${label}: the proxy of another build (\`--baseline\`), measured in the same loop as this one.`];
  return [
    `${plan.warmup} requests each first (after one straight to the server that fills its prompt cache), then ${plan.rounds} each.`,
    '',
    `| prompt (server threads) | direct ms | pipe+parse ms | added ms | ratio | proxy ms | added ms | ratio | |${baselineColumns[0]}`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |${baselineColumns[1]}`,
    ...rows.map((row) => row.ratios),
    ...baselineNote,
    '',
    `| prompt (server threads) | ${SPAN_NAMES.join(' | ')} |`,
    `| --- | ${SPAN_NAMES.map(() => '---:').join(' | ')} |`,
    ...rows.map((row) => row.stages),
  ];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cap-bench-llama-'));
  const startedAt = Date.now();
  try {
    // Claude Code's default model, as users run it: the router, not an alias, sends these local.
    const turn: MessagesRequest = { ...mainRequest('What is NixOS?'), max_tokens: 8 };
    const question: MessagesRequest = { model: turn.model, max_tokens: 8, messages: [{ role: 'user', content: 'What is NixOS?' }] };
    // The same turn with a long prompt typed: what the classifier reads grows with it, the others do not.
    const typed: MessagesRequest = { ...mainRequest(typedPrompt()), max_tokens: 8 };
    const kB = (body: MessagesRequest) => Math.round(JSON.stringify(body).length / 1000);
    const rows = async (threads: number, llama: LlamaServer, proxies: Proxies, plan: Plan) => [
      await ttft(`one-line question, no tools (\`-t ${threads}\`)`, llama, proxies, { ...question, max_tokens: plan.maxTokens }, plan),
      await ttft(`Claude Code first turn, 11 tools, ${kB(turn)} kB (\`-t ${threads}\`)`, llama, proxies, { ...turn, max_tokens: plan.maxTokens }, plan),
      await ttft(`the same, ${ASKED_CHARS.toLocaleString('en')} characters typed, ${kB(typed)} kB (\`-t ${threads}\`)`, llama, proxies, { ...typed, max_tokens: plan.maxTokens }, plan),
    ];
    const lines = [
      '# Local route against llama-server',
      '',
      `Produced by \`npm run bench:llama\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}.`,
      `Server: llama-server built by \`scripts/llama/build-server.sh\` from node-llama-cpp@${LLAMA_VERSION} (llama.cpp ${(await llamaCommit()).slice(0, 12)}), \`-c ${CONTEXT} -np 1 --jinja\`, with the models of \`scripts/llama/make-model.sh\` (random weights, Qwen3's tokenizer and template). The proxy is the built CLI, \`local.kind: anthropic\`.`,
      '',
      '## Time to first token: proxy vs llama-server direct (goal ≤ 1.05×)',
      '',
      TTFT_INTRO,
    ];
    const none: OtherSections = { lines: [], goals: [] };
    let other = none;
    const goals: string[] = [];
    if (options.only !== 'sized') {
      const busy = await withServers(dir, 2, async (llama, proxies) => {
        const measured = await rows(2, llama, proxies, TINY);
        other = options.only === 'ttft' ? none : await otherSections(llama, proxies.current);
        return measured;
      });
      const spare = await withServers(dir, 1, (llama, proxies) => rows(1, llama, proxies, TINY));
      lines.push('', `### The tiny test model (\`${basename(LLAMA_MODEL)}\`: 128 wide, 4 layers)`, '', TINY_NOTE, '', ...ttftTables([...busy, ...spare], TINY));
      goals.push(...[...busy, ...spare].map((row) => row.goal('tiny model')));
    }
    if (options.only !== 'ttft') {
      const sized = await withServers(dir, 2, (llama, proxies) => rows(2, llama, proxies, SIZED), LLAMA_SIZED_MODEL);
      lines.push('', `### A model of Qwen3-0.6B's size (\`${basename(LLAMA_SIZED_MODEL)}\`)`, '', SIZED_NOTE, '', ...ttftTables(sized, SIZED));
      goals.push(...sized.map((row) => row.goal("Qwen3-0.6B's size")));
    }
    const runTime = Math.round((Date.now() - startedAt) / 1000);
    lines.push('', STAGES_NOTE, '', ...TTFT_NOTES, ...other.lines, '', `Run time: ${runTime} s.`, '');
    if (OUT !== null) await writeFile(OUT, lines.join('\n'));
    process.stdout.write(`${lines.join('\n')}\n`);
    // Only a whole run to the default place speaks for the project in bench/RESULTS.md.
    if (options.only === undefined && options.out === undefined) await writeGoals([...goals, ...other.goals], runTime);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const llamaCommit = async () => (await readFile(join(LLAMA_SERVER_BIN, '..', 'llama.cpp-commit'), 'utf8').catch(() => 'unknown')).trim();

/** The local route's goals, with the command that measured them, in their block of bench/RESULTS.md. */
async function writeGoals(goals: string[], runTime: number): Promise<void> {
  const file = join(REPO, 'bench', 'RESULTS.md');
  const content = [
    '## Local route against llama-server',
    '',
    `Produced by \`npm run bench:llama\` on ${new Date().toISOString().slice(0, 10)} (${runTime} s), against a real llama-server; the tables, where the time goes and what was changed: [LLAMA-RESULTS.md](LLAMA-RESULTS.md).`,
    '',
    '| goal | measured | |',
    '| --- | --- | --- |',
    ...goals,
  ].join('\n');
  await writeFile(file, withBlock(await readFile(file, 'utf8').catch(() => ''), 'llama', content));
}

/** The sections after the TTFT tables, and their rows of the goals table. */
interface OtherSections {
  lines: string[];
  goals: string[];
}

/** The prompt-cache, prefill and tool-call sections. */
async function otherSections(llama: LlamaServer, proxyUrl: string): Promise<OtherSections> {
  const lines: string[] = [];
  lines.push('', '## Prompt cache on Claude Code turns (goal: second turn ≥ 90 % from cache)', '');
  lines.push('With the tiny model, `-t 2`: the share of the prompt tokens the server reports as `cache_read_input_tokens`. "Without the strip" sends the same prepared bodies straight to the server with the billing block kept, as a proxy without the strip would.', '');
  lines.push('| | turn 2 of a conversation | turn 1 of the next conversation | prompt tokens (turn 2) |', '| --- | ---: | ---: | ---: |');
  const [a1, a2] = conversation('a1f', 'Explain the build.');
  const [b1] = conversation('b2e', 'Explain the tests.');
  await streamOnce(proxyUrl, a1, claudeCodeHeaders());
  const withStrip2 = (await streamOnce(proxyUrl, a2, claudeCodeHeaders())).usage;
  const withStripNext = (await streamOnce(proxyUrl, b1, claudeCodeHeaders())).usage;
  const [c1, c2] = conversation('c3d', 'Explain the build.');
  const [d1] = conversation('d4c', 'Explain the tests.');
  const json = { 'content-type': 'application/json' };
  await streamOnce(llama.url, withBilling(prepared(c1), 'c3d'), json);
  const without2 = (await streamOnce(llama.url, withBilling(prepared(c2), 'c3d'), json)).usage;
  const withoutNext = (await streamOnce(llama.url, withBilling(prepared(d1), 'd4c'), json)).usage;
  const pct = (u: Usage) => `${(cacheShare(u) * 100).toFixed(1)} %`;
  lines.push(`| through the proxy (billing block stripped) | ${pct(withStrip2)} | ${pct(withStripNext)} | ${promptTokens(withStrip2)} |`);
  lines.push(`| without the strip | ${pct(without2)} | ${pct(withoutNext)} | ${promptTokens(without2)} |`);

  lines.push('', '## Prompt prefilled for a simple question', '');
  const simple = { ...mainRequest('What is NixOS?'), max_tokens: 8 };
  const count = async (body: MessagesRequest) => {
    const { max_tokens: _m, stream: _s, ...rest } = body;
    const res = await request(`${llama.url}/v1/messages/count_tokens`, { method: 'POST', headers: json, body: JSON.stringify(rest) });
    return ((await res.body.json()) as { input_tokens: number }).input_tokens;
  };
  const full = await count(prepared(simple));
  const noTools = await count(prepared(simple, 'never'));
  lines.push('Claude Code\'s first turn for "What is NixOS?" as the proxy prepares it, counted by the server. No slimming is added: the proxy cannot tell from the request that Claude Code will not need a tool, and dropping them changes answers.', '');
  lines.push('| prepared prompt | tokens |', '| --- | ---: |', `| as sent (11 tools) | ${full} |`, `| the same without tools (\`local.tools: never\`) | ${noTools} |`);
  lines.push('', '## How long Claude Code\'s tool calls are (for `local.maxOutputTokens`)', '');
  lines.push(`The random model's own calls say nothing about real ones, so this counts, with the Qwen3 tokenizer (\`/tokenize\`), calls shaped like Claude Code's Write and Edit over this repository's own files. A call cut by \`max_tokens\` is lost, so the cap must hold the long ones: the columns count the calls longer than the earlier defaults of \`local.maxOutputTokens\` (2048, then 8192) and than today's (${DEFAULT_CAP}).`, '');
  lines.push(...(await toolCallSizes(llama.url)));
  const cacheMet = cacheShare(withStrip2) >= 0.9 ? '**met**' : '**not met**';
  return {
    lines,
    goals: [
      `| second turn of a Claude Code conversation ≥ 90 % of its prompt from the server's cache | ${pct(withStrip2)}; the next conversation's first turn ${pct(withStripNext)} with the billing-block strip, ${pct(withoutNext)} without | ${cacheMet} |`,
      `| prompt prefilled for a simple question, before and after slimming | ${full} tokens as sent (11 tools); ${noTools} with \`local.tools: never\`; no slimming added | reported |`,
    ],
  };
}

await main();

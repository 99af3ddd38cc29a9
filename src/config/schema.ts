import { Type, type Static, type TSchema } from '@sinclair/typebox';

// The one source of the configuration: TypeScript types, validation and defaults all come from here.
// Paths that depend on the user's home are defaulted in load.ts (they are not constants).

const section = <T extends Record<string, TSchema>>(properties: T, description: string) =>
  Type.Object(properties, { additionalProperties: false, default: {}, description });

const Millis = (def: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 86_400_000, default: def, description });

const HttpUrl = (def: string, description: string) =>
  Type.String({ pattern: '^https?://[^\\s]+$', default: def, description });

const NullablePath = (description: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null, description });

export const ListenSchema = section(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to bind.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8094, description: 'TCP port (0 picks a free one).' }),
    allowedHosts: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Extra Host header names accepted besides loopback names and the bind address (DNS-rebinding guard).',
    }),
    allowedOrigins: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Browser Origins allowed to call the API; any other Origin is rejected.',
    }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, default: 32 * 1024 * 1024, description: 'Largest request body accepted (Anthropic: 32 MB).' }),
    drainTimeoutMs: Millis(30_000, 'On SIGTERM/SIGINT/SIGHUP, how long open streams may finish before they are cut.'),
    requestTimeoutMs: Millis(120_000, 'Time allowed to receive a whole request, headers and body (never the answer); then 408 and the connection closes.'),
    maxConnections: Type.Integer({ minimum: 1, default: 1024, description: 'Open client connections at most; further ones are closed at once.' }),
  },
  'The HTTP listener.',
);

export const AuthSchema = section(
  {
    tokenFile: NullablePath(
      'File holding an inbound token clients must send (x-api-key or Bearer is then checked against it). Required when listen.host is not loopback.',
    ),
  },
  'Inbound access control.',
);

export const RemoteSchema = section(
  {
    url: HttpUrl('https://api.anthropic.com', 'Anthropic API base URL (or a corporate gateway).'),
    apiKeyFile: NullablePath('File with an Anthropic API key, used only when a client sends no credentials.'),
    connectTimeoutMs: Millis(10_000, 'TCP/TLS connect timeout to the remote API.'),
    headersTimeoutMs: Millis(600_000, 'Time allowed until the remote response headers arrive.'),
    idleTimeoutMs: Millis(600_000, 'Longest silence allowed inside a remote response body.'),
    maxSseEventBytes: Type.Integer({
      minimum: 1024,
      default: 8 * 1024 * 1024,
      description: 'Largest SSE event of a remote answer read for usage; beyond it the answer still passes through, unobserved.',
    }),
    maxModelListBytes: Type.Integer({
      minimum: 1024,
      default: 1024 * 1024,
      description: "Largest model list GET /v1/models reads from the remote API; beyond it the local aliases are listed alone (or 502 when there are none).",
    }),
  },
  'The remote route (Anthropic).',
);

export const TelemetrySchema = section(
  {
    enabled: Type.Boolean({ default: true, description: 'Write one JSON line per routed request.' }),
    dir: Type.String({ minLength: 1, description: 'Directory of the daily events-YYYY-MM-DD.jsonl files.' }),
    retentionDays: Type.Integer({ minimum: 1, maximum: 36_500, default: 90, description: 'Event files older than this are removed daily.' }),
    logPrompts: Type.Boolean({ default: false, description: 'Include the routed query text in events (off: no prompt text is stored).' }),
    maxStringChars: Type.Integer({
      minimum: 16,
      default: 256,
      description: 'Longest model name, path or other client- or upstream-chosen text kept in events, recent decisions and metrics; longer ones are cut and marked "…[truncated]".',
    }),
    maxQueryTextChars: Type.Integer({ minimum: 16, default: 16_384, description: 'Longest query text kept in an event (telemetry.logPrompts); longer is cut and marked.' }),
    flushIntervalMs: Type.Integer({
      minimum: 0,
      maximum: 10_000,
      default: 100,
      description: 'Events wait this long in memory and are then appended in one write (a crash loses at most these); 0 writes each as soon as the previous write is done.',
    }),
    dashboardTargets: Type.Object(
      {
        localPercent: Type.Number({ minimum: 0, maximum: 100, default: 70, description: 'Goal for the share of requests served locally (token-savings.json).' }),
        cacheHitPercent: Type.Number({ minimum: 0, maximum: 100, default: 30, description: 'Goal for the share of prompt tokens read from the prompt cache (token-savings.json).' }),
      },
      { additionalProperties: false, default: {}, description: "Targets written beside the measured numbers into the old dashboard's files." },
    ),
  },
  'Telemetry events.',
);

export const StateSchema = section(
  {
    dir: Type.String({ minLength: 1, description: 'Directory for persistent state (estimate calibration).' }),
  },
  'Persistent state.',
);

const RouteTarget = Type.Union([Type.Literal('local'), Type.Literal('remote'), Type.Literal('default')]);
const TokenRange = Type.Object(
  { min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);
export const RequestKindSchema = Type.Union([
  Type.Literal('main'),
  Type.Literal('tool-loop'),
  Type.Literal('background'),
  Type.Literal('count'),
  Type.Literal('other'),
]);

export const RuleSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    match: Type.Object(
      {
        model: Type.Optional(Type.String({ minLength: 1, description: 'Glob on the requested model (* and ?).' })),
        kind: Type.Optional(Type.Array(RequestKindSchema, { minItems: 1 })),
        queryTokens: Type.Optional(TokenRange),
        conversationTokens: Type.Optional(TokenRange),
        requestTokens: Type.Optional(TokenRange),
        tools: Type.Optional(Type.Boolean()),
        images: Type.Optional(Type.Boolean()),
        thinking: Type.Optional(Type.Boolean()),
        queryRegex: Type.Optional(Type.String({ minLength: 1 })),
        headers: Type.Optional(Type.Record(Type.String(), Type.String())),
        time: Type.Optional(
          Type.Object(
            {
              from: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }),
              to: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }),
              days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1 })),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    route: RouteTarget,
  },
  { additionalProperties: false },
);

const Terms = (def: readonly string[], description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { default: [...def], description });

/** The words the task classifier looks for, by what they say about a task (see docs/routing.md). */
const VOCABULARY = {
  simple: [
    '^what is', '^what are', "^what's", '^what does', '^what do', '^who', '^when', '^where', '^which', '^why does', '^why is', '^why do', "^why doesn't",
    '^why am i', '^how do i', '^how can i', '^how to', '^how does', '^how do you', '^is there', '^is it', '^does', '^can i', 'can you explain', 'explain', 'describe', 'summarize', 'summarise',
    'tell me', '^show', '^list', '^print', '^display', '^check', 'look up', 'find the', 'meaning of', 'difference between', 'example of',
    'fix this', 'fix the typo', 'fix the bug', 'fix this bug', 'review this', 'review the function', 'rename', '^format', 'translate', 'convert this',
    'write a small', 'write a function', 'write a short', 'write a one-liner', 'write a regex', 'write a test for this', 'add a comment', 'add a docstring',
    'give me', '^run', 'status', 'typo', 'syntax', 'one-liner', 'snippet', 'quick question',
  ],
  complex: [
    'refactor*', 'redesign*', 'rearchitect*', 're-architect*', 'migrat*', 'audit*', 'overhaul*', 'rewrite', 'port the', 'port this project',
    'implement*', 'build a', 'build an', 'create a new service', 'design', 'architect', 'architecture', 'investigate', 'diagnose', 'root cause',
    'performance', 'optimi*', 'profil*', 'scal*', 'security review', 'threat model', 'analy*', 'modernize', 'modernise', 'restructur*', 'consolidat*',
    'deduplicat*', 'end-to-end', 'from scratch', 'comprehensive', 'thorough*', 'in depth', 'in-depth', 'step by step plan', 'roadmap', 'strategy',
    'trade-offs', 'tradeoffs', 'upgrade', 'find out why', 'unify', 'evaluate', 'rework*', 'load test*', 'throughput', 'latency', 'benchmark*', 'decision record', '^port', 'cut-over', 'cutover', '^plan', 'plan the', 'plan a', 'all the places', 'into modules', 'into smaller', 'into separate', 'break up', 'parallelize', 'concurren*', 'race condition*', 'memory leak', 'deadlock', 'distributed', 'microservice*',
  ],
  narrowScope: [
    'this function', 'this method', 'this line', 'this snippet', 'this code', 'this code block', 'this block', 'this file', 'this class', 'this error',
    'this bug', 'this test', 'this regex', 'this query', 'this command', 'this log', 'this output', 'this stack trace', 'this traceback', 'this message',
    'this variable', 'the function', 'one function', 'a function', 'a small', 'the typo', 'current directory', 'this directory', 'this word', 'below', 'above',
  ],
  wideScope: [
    'entire', 'whole', 'all files', 'all the files', 'every file', 'all services', 'every service', 'all modules', 'every module', 'across', 'codebase',
    'code base', 'repository', 'repo-wide', 'project-wide', 'the project', 'the system', 'system', 'architecture', 'multi-file', 'multiple files',
    'many files', 'several files', 'all packages', 'monorepo', 'infrastructure', 'pipeline', 'platform', 'end to end', 'everywhere', 'throughout',
    'each module', 'each service', 'all endpoints', 'every endpoint', 'all handlers', 'all the handlers', 'every handler', 'all routes', 'all components', 'every component', 'every path', 'every layer', 'layer', 'services', 'every caller', 'all callers', 'all call sites', 'go through all', 'go through every', 'in production', 'all the tests', 'test suite', 'database schema', 'api surface', 'backend and frontend',
  ],
  steps: ['then', 'after that', 'afterwards', 'finally', 'next,', 'once done', 'and also', 'as well as', 'in addition', 'make sure', 'ensure'],
  continuation: [
    'yes', 'yeah', 'yep', 'ok', 'okay', 'sure', 'go on', 'go ahead', 'continue', 'proceed', 'do it', 'do that', 'please do', 'sounds good', 'looks good',
    'lgtm', 'keep going', 'carry on', 'next', 'also', 'and', 'now', 'same for', 'same with', 'what about', 'try again', 'again', 'retry', 'perfect',
    'great', 'thanks, now', 'that works', 'not quite', 'no,', 'no ', 'instead', 'but', 'fix that', 'fix it', 'handle', 'expand', 'elaborate',
    'go deeper', 'more detail', 'start with', 'then',
  ],
  escalate: ['ultrathink'],
} as const;

const VocabularySchema = (def: Record<keyof typeof VOCABULARY, readonly string[]>, description: string) =>
  Type.Object(
    {
      simple: Terms(def.simple, 'What asks for a simple task (explain, what is, how do I, show, fix this function, …).'),
      complex: Terms(def.complex, 'What asks for a complex task (refactor, redesign, migrate, audit, implement, investigate performance, …).'),
      narrowScope: Terms(def.narrowScope, 'A narrow scope: this function, this file, this snippet, …'),
      wideScope: Terms(def.wideScope, 'A wide scope: the entire codebase, all services, the architecture, the repository, …'),
      steps: Terms(def.steps, 'Words that chain several steps (then, after that, finally, …).'),
      continuation: Terms(def.continuation, 'How a short prompt that continues the previous task starts (yes, go on, do it, also, …).'),
      escalate: Terms(def.escalate, 'Keywords in the prompt or the role:"system" turn that ask for the strongest model (ultrathink).'),
    },
    { additionalProperties: false, default: {}, description },
  );

const NO_TERMS = { simple: [], complex: [], narrowScope: [], wideScope: [], steps: [], continuation: [], escalate: [] };

export const TaskSchema = section(
  {
    vocabulary: VocabularySchema(VOCABULARY, 'The classifier vocabulary (a trailing * matches any word ending, a leading ^ only at the start of a sentence or after please/can you). Setting a list replaces its default.'),
    extraVocabulary: VocabularySchema(NO_TERMS, 'Terms added to the vocabulary (keeps the defaults).'),
    simpleBelow: Type.Number({ default: 0.5, description: 'A task scoring below this is simple: local.' }),
    complexFrom: Type.Number({ default: 2, description: 'A task scoring this or more is complex: remote.' }),
    unsure: Type.Union([Type.Literal('local'), Type.Literal('remote')], {
      default: 'local',
      description: 'Where a task scoring between the thresholds goes when no judge decides.',
    }),
    continuationWords: Type.Integer({ minimum: 0, default: 16, description: 'A prompt of at most this many words that starts like a continuation continues the previous task.' }),
    continuationMinutes: Type.Integer({
      minimum: 0,
      default: 30,
      description: "How long after an escalated (remote) task its continuations stay remote (0: every prompt is decided alone).",
    }),
    compactMinChars: Type.Integer({
      minimum: 1,
      default: 3000,
      description: 'A last user text this long, in prose, after at least one answer, is taken for a /compact summary request.',
    }),
    exemplarDistance: Type.Number({ minimum: 0, default: 0.5, description: "A feedback exemplar this close (feature distance) overrides the classifier's route." }),
  },
  'The task classifier (routing.classifier: task).',
);

export const JudgeSchema = section(
  {
    enabled: Type.Boolean({ default: false, description: 'Ask the local model to classify tasks the classifier is unsure about.' }),
    timeoutMs: Millis(300, "The judge's latency budget; on timeout the classifier's route stands."),
    maxTokens: Type.Integer({ minimum: 1, maximum: 64, default: 4, description: "The judge's answer length in tokens (one word is needed)." }),
    cacheSize: Type.Integer({ minimum: 0, default: 1000, description: 'Verdicts remembered by prompt hash (0: none).' }),
  },
  'The optional local judge.',
);

export const RoutingSchema = section(
  {
    classifier: Type.Union([Type.Literal('task'), Type.Literal('tokens')], {
      default: 'task',
      description: "How a new prompt is judged: by what it asks for and its scope (task), or by the seed's token thresholds (tokens).",
    }),
    basis: Type.Union([Type.Literal('query'), Type.Literal('conversation'), Type.Literal('request')], {
      default: 'query',
      description: 'Which token estimate the thresholds apply to (classifier: tokens).',
    }),
    simpleQueryTokens: Type.Integer({ minimum: 0, default: 100, description: 'Below this estimate a request is simple: local (classifier: tokens).' }),
    complexQueryTokens: Type.Integer({ minimum: 0, default: 3000, description: 'Above this estimate a request is complex: remote (classifier: tokens).' }),
    maxTokensRemote: Type.Integer({ minimum: 0, default: 2000, description: 'A max_tokens above this asks for a long answer: remote (see maxTokensRule).' }),
    maxTokensRule: Type.Union([Type.Literal('ignore-client-default'), Type.Literal('strict'), Type.Literal('off')], {
      default: 'ignore-client-default',
      description: 'How max_tokens is used: ignore the fixed large values clients always send, apply it strictly, or never.',
    }),
    answerReserveTokens: Type.Integer({ minimum: 0, default: 1024, description: 'Room kept in the local context window for the answer.' }),
    countTokens: Type.Union([Type.Literal('remote'), Type.Literal('follow-task')], {
      default: 'remote',
      description: 'count_tokens: remote (free and exact for the model the client shows), or where the counted request would go.',
    }),
    escalateEfforts: Type.Array(Type.String({ minLength: 1 }), {
      default: ['xhigh', 'max'],
      description: "output_config.effort values that go remote. Claude Code sends `high` on every request (its default), so it is not listed.",
    }),
    allowHeaderOverride: Type.Boolean({ default: true, description: 'Honour the x-claude-proxy-route request header.' }),
    task: TaskSchema,
    judge: JudgeSchema,
    rules: Type.Array(RuleSchema, { default: [], description: 'Ordered rules; the first match decides.' }),
  },
  'The routing policy.',
);

export const LocalSchema = section(
  {
    enabled: Type.Boolean({ default: true, description: 'Use a local backend at all.' }),
    kind: Type.Union([Type.Literal('anthropic'), Type.Literal('openai'), Type.Literal('coordinator')], {
      default: 'coordinator',
      description: 'Protocol of the local backend.',
    }),
    url: HttpUrl('http://localhost:8092', 'Base URL of the local backend.'),
    model: Type.String({ minLength: 1, default: 'local', description: 'Model name sent to the local backend.' }),
    apiKeyFile: NullablePath("File with the local backend's own key (the client's credentials are never sent)."),
    contextWindow: Type.Integer({ minimum: 256, default: 4096, description: "The local model's context window in tokens." }),
    maxOutputTokens: Type.Integer({
      minimum: 1,
      default: 16_384,
      description: "Upper bound for max_tokens sent to the local backend (Claude Code's Write calls of whole files take up to about 9000 tokens; a call cut short is lost).",
    }),
    answerCharsPerToken: Type.Integer({
      minimum: 4,
      default: 32,
      description: 'A local answer (text, thinking and tool input together, a held tool call included) may hold local.maxOutputTokens × this many characters; a longer one fails as too_long.',
    }),
    connectTimeoutMs: Millis(2_000, 'Connect timeout to the local backend.'),
    firstByteTimeoutMs: Millis(60_000, 'Time allowed until the local backend starts answering.'),
    idleTimeoutMs: Millis(30_000, 'Longest silence allowed inside a local answer.'),
    maxSseEventBytes: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024, description: 'Largest SSE event a local answer may send; a larger one fails the answer as malformed.' }),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Extra headers sent to the local backend.' }),
    tools: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')], {
      default: 'auto',
      description: 'Pass tool definitions: when they fit (auto), always, or never.',
    }),
    vision: Type.Boolean({ default: false, description: 'The local model accepts images.' }),
    aliases: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Model names that always route local and are listed by GET /v1/models (Claude Code shows ids starting with "claude").',
    }),
    healthCacheMs: Millis(5_000, 'How long a health probe result is reused by status checks. The router re-probes a result that is not healthy when it is this old; a healthy one only after a failed local request.'),
    breakerFailures: Type.Integer({ minimum: 1, default: 3, description: 'Consecutive failures that open the breaker.' }),
    breakerCooldownMs: Millis(30_000, 'How long an open breaker waits before one trial request.'),
  },
  'The local backend.',
);

export const RagSchema = section(
  {
    enabled: Type.Boolean({ default: true, description: 'Add AIDB search results to local requests.' }),
    url: HttpUrl('http://localhost:8091', 'AIDB base URL.'),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 3, description: 'Number of results to ask for.' }),
    timeoutMs: Millis(800, 'Search timeout; on timeout the request goes on without context.'),
    maxChars: Type.Integer({ minimum: 0, default: 4000, description: 'Most characters of context injected.' }),
    project: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null, description: 'AIDB project filter.' }),
  },
  'Retrieval (AIDB) for the local route.',
);

const TokenPrices = {
  input: Type.Number({ minimum: 0, description: 'USD per million input tokens.' }),
  output: Type.Number({ minimum: 0, description: 'USD per million output tokens.' }),
  cacheWrite: Type.Number({ minimum: 0, description: 'USD per million tokens written to the prompt cache (5-minute TTL).' }),
  cacheRead: Type.Number({ minimum: 0, description: 'USD per million tokens read from the prompt cache.' }),
};

export const ModelPriceSchema = Type.Object(
  {
    ...TokenPrices,
    longPrompt: Type.Optional(
      Type.Object(
        { aboveTokens: Type.Integer({ minimum: 1, description: 'Prompt size (input + cache read + cache write) above which these prices apply to the whole request.' }), ...TokenPrices },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PricingSchema = section(
  {
    models: Type.Record(Type.String(), ModelPriceSchema, {
      default: {},
      description: 'USD per million tokens by model glob; merged over the built-in Claude prices.',
    }),
  },
  'Prices used to count cost and savings.',
);

export const LogSchema = section(
  {
    level: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'Log level.' },
    ),
    requests: Type.Union([Type.Literal('info'), Type.Literal('debug'), Type.Literal('off')], {
      default: 'info',
      description: 'The level of the one line logged per request (route, reason, status, model, latency), or off.',
    }),
  },
  'Logging.',
);

export const ConfigSchema = Type.Object(
  {
    listen: ListenSchema,
    auth: AuthSchema,
    remote: RemoteSchema,
    local: LocalSchema,
    routing: RoutingSchema,
    rag: RagSchema,
    telemetry: TelemetrySchema,
    state: StateSchema,
    pricing: PricingSchema,
    log: LogSchema,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type RoutingRule = Static<typeof RuleSchema>;
export type RequestKind = Static<typeof RequestKindSchema>;
export type TaskVocabulary = Static<typeof TaskSchema>['vocabulary'];
export type ModelPrice = Static<typeof ModelPriceSchema>;

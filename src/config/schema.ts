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
    drainTimeoutMs: Millis(30_000, 'On SIGTERM/SIGINT, how long open streams may finish before they are cut.'),
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
  },
  'The remote route (Anthropic).',
);

export const TelemetrySchema = section(
  {
    enabled: Type.Boolean({ default: true, description: 'Write one JSON line per routed request.' }),
    dir: Type.String({ minLength: 1, description: 'Directory of the daily events-YYYY-MM-DD.jsonl files.' }),
    retentionDays: Type.Integer({ minimum: 1, maximum: 36_500, default: 90, description: 'Event files older than this are removed daily.' }),
    logPrompts: Type.Boolean({ default: false, description: 'Include the routed query text in events (off: no prompt text is stored).' }),
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

export const RoutingSchema = section(
  {
    basis: Type.Union([Type.Literal('query'), Type.Literal('conversation'), Type.Literal('request')], {
      default: 'query',
      description: 'Which token estimate the thresholds apply to.',
    }),
    simpleQueryTokens: Type.Integer({ minimum: 0, default: 100, description: 'Below this estimate a request is simple: local.' }),
    complexQueryTokens: Type.Integer({ minimum: 0, default: 3000, description: 'Above this estimate a request is complex: remote.' }),
    maxTokensRemote: Type.Integer({ minimum: 0, default: 2000, description: 'A max_tokens above this asks for a long answer: remote (see maxTokensRule).' }),
    maxTokensRule: Type.Union([Type.Literal('ignore-client-default'), Type.Literal('strict'), Type.Literal('off')], {
      default: 'ignore-client-default',
      description: 'How max_tokens is used: ignore the fixed large values clients always send, apply it strictly, or never.',
    }),
    answerReserveTokens: Type.Integer({ minimum: 0, default: 1024, description: 'Room kept in the local context window for the answer.' }),
    highEffortRemote: Type.Boolean({ default: true, description: 'Thinking with effort high/max goes remote.' }),
    allowHeaderOverride: Type.Boolean({ default: true, description: 'Honour the x-claude-proxy-route request header.' }),
    stickySessionMinutes: Type.Integer({ minimum: 0, default: 30, description: 'After a complex turn goes remote, the session stays remote this long (0: off).' }),
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
      default: 8192,
      description: "Upper bound for max_tokens sent to the local backend (Claude Code's Write and Edit calls of whole files need thousands).",
    }),
    connectTimeoutMs: Millis(2_000, 'Connect timeout to the local backend.'),
    firstByteTimeoutMs: Millis(60_000, 'Time allowed until the local backend starts answering.'),
    idleTimeoutMs: Millis(30_000, 'Longest silence allowed inside a local answer.'),
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
    healthCacheMs: Millis(5_000, 'How long a health probe result is reused.'),
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
export type ModelPrice = Static<typeof ModelPriceSchema>;

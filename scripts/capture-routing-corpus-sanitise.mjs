// Replaces every text Claude Code wrote itself (system prompt, tool descriptions, reminders, the
// role:"system" turn, the /compact instruction, the title instruction) with deterministic filler of
// the same length, keeping our own prompts and the fake's answers, the JSON structure and key order,
// tag names, and the marker words routing reads.

import { createHash } from 'node:crypto';

const WORDS = ['amber', 'basalt', 'cedar', 'delta', 'ember', 'fjord', 'granite', 'harbor', 'indigo', 'juniper', 'kelp', 'lagoon', 'meadow', 'nimbus', 'orchid', 'prairie', 'quartz', 'ridge', 'sierra', 'tundra'];

/** Filler of exactly `length` characters; newlines stay where they were, so line counts survive. */
function filler(original) {
  let out = '';
  let word = original.length % WORDS.length;
  while (out.length < original.length) {
    out += `${WORDS[word]} `;
    word = (word * 7 + 3) % WORDS.length;
  }
  const chars = [...out.slice(0, original.length)];
  for (let i = 0; i < original.length; i++) if (original[i] === '\n') chars[i] = '\n';
  return chars.join('');
}

/** Tags (`<system-reminder>`, `<session>`, `<summary>`, …) are structure, and routing relies on some of them. */
const TAG = /<\/?[a-z][a-z0-9_-]*>/g;
/** Words the client puts in its own text to signal something routing needs. */
const MARKERS = ['ultrathink'];

/**
 * Filler over `text` except the spans of `keep` strings and markers, and of tags where `tags` is
 * set (in turns: system prompt and tool descriptions lose theirs, they are prose there).
 */
export function keepOnly(text, keep, tags = true) {
  const spans = [];
  for (const k of [...keep, ...MARKERS]) {
    if (k.length === 0) continue;
    for (let at = text.indexOf(k); at !== -1; at = text.indexOf(k, at + k.length)) spans.push([at, at + k.length]);
  }
  if (tags) for (const m of text.matchAll(TAG)) spans.push([m.index, m.index + m[0].length]);
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    if (start > at) out += filler(text.slice(at, start));
    out += text.slice(Math.max(start, at), end);
    at = end;
  }
  if (at < text.length) out += filler(text.slice(at));
  return out;
}

const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;
/** The trailer Claude Code appends to a subagent's result (how to resume it, its usage). */
const AGENT_TRAILER = /^agentId: /;

/** A tool's output is ours (our files, our commands), but the reminders and trailers the client adds are not. */
function sanitiseToolOutput(text) {
  if (AGENT_TRAILER.test(text) || text.includes('<tool_use_error>')) return keepOnly(text, []);
  return text.replace(REMINDER, (r) => keepOnly(r, []));
}

function sanitiseDescriptions(value) {
  if (Array.isArray(value)) return value.map(sanitiseDescriptions);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) out[key] = key === 'description' && typeof v === 'string' ? keepOnly(v, [], false) : sanitiseDescriptions(v);
  return out;
}

function fakeHex(seed, length) {
  return createHash('sha256').update(`corpus:${seed}`).digest('hex').repeat(2).slice(0, length);
}

/** The billing block keeps its prefix and keys; its per-conversation nonce becomes a fake one. */
function sanitiseBilling(text, seed) {
  return text.replace(/(cc_version=[\d.]+\.)([0-9a-f]+)/, (_, head, nonce) => `${head}${fakeHex(seed, nonce.length)}`).replace(/(cch=)([0-9a-f]+)/, (_, head, v) => `${head}${fakeHex(`${seed}:cch`, v.length)}`);
}

function sanitiseBlock(block, keep) {
  if (block.type === 'text') return { ...block, text: keepOnly(block.text, keep) };
  if (block.type === 'tool_result') {
    const content = typeof block.content === 'string' ? sanitiseToolOutput(block.content) : Array.isArray(block.content) ? block.content.map((b) => (b.type === 'text' ? { ...b, text: sanitiseToolOutput(b.text) } : b)) : block.content;
    return { ...block, content };
  }
  if (block.type === 'thinking') return { ...block, thinking: keepOnly(block.thinking, []), signature: fakeHex('signature', block.signature.length) };
  return block;
}

function sanitiseMessage(message, keep) {
  if (message.role === 'assistant') return message;
  // The role:"system" turn is wholly the client's; ultrathink's paragraph keeps its marker word.
  if (message.role === 'system') {
    if (typeof message.content === 'string') return { ...message, content: keepOnly(message.content, [], false) };
    return { ...message, content: message.content.map((b) => (b.type === 'text' ? { ...b, text: keepOnly(b.text, [], false) } : b)) };
  }
  if (typeof message.content === 'string') return { ...message, content: keepOnly(message.content, keep) };
  return { ...message, content: message.content.map((b) => sanitiseBlock(b, keep)) };
}

function sanitiseMetadata(metadata) {
  if (typeof metadata?.user_id !== 'string') return metadata;
  try {
    const user = JSON.parse(metadata.user_id);
    if (typeof user.device_id === 'string') user.device_id = fakeHex('device', user.device_id.length);
    return { ...metadata, user_id: JSON.stringify(user) };
  } catch {
    return { ...metadata, user_id: fakeHex('user', metadata.user_id.length) };
  }
}

/** Request body with the client's texts replaced; `keep` lists our own texts (prompts, answers). */
export function sanitiseBody(body, keep, seed) {
  const out = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'system') {
      out.system = typeof value === 'string' ? keepOnly(value, [], false) : value.map((b, i) => (i === 0 && b.text.startsWith('x-anthropic-billing-header: ') ? { ...b, text: sanitiseBilling(b.text, seed) } : { ...b, text: keepOnly(b.text, [], false) }));
    } else if (key === 'tools') out.tools = value.map((t) => sanitiseDescriptions(t));
    else if (key === 'messages') out.messages = value.map((m) => sanitiseMessage(m, keep));
    else if (key === 'metadata') out.metadata = sanitiseMetadata(value);
    else if (key === 'output_config') out.output_config = sanitiseDescriptions(value);
    else out[key] = value;
  }
  return out;
}

const DROPPED_HEADERS = new Set(['x-api-key', 'authorization', 'host', 'content-length', 'connection']);

export function sanitiseHeaders(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !DROPPED_HEADERS.has(name)));
}

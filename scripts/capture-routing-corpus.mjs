#!/usr/bin/env node
// Captures the labelled routing corpus (test/fixtures/routing-eval/) from the real Claude Code CLI:
// a recording fake upstream on 127.0.0.1 answers it, our sessions drive it (print mode and the
// interactive UI in tmux), and every request is sanitised and labelled before it is written.
//
//   CLAUDE_CODE_BIN=<claude binary> node scripts/capture-routing-corpus.mjs [--out DIR] [--only NAME-PREFIX]
//
// Needs tmux for the interactive sessions. Works in /tmp/cc-corpus (project, HOME); sends nothing
// anywhere but the fake (non-essential traffic disabled).

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startFake } from './capture-routing-corpus-fake.mjs';
import { layProject } from './capture-routing-corpus-project.mjs';
import { sanitiseBody, sanitiseHeaders } from './capture-routing-corpus-sanitise.mjs';
import { sessions } from './capture-routing-corpus-sessions.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'test/fixtures/routing-eval' }, only: { type: 'string' } } });
const CLI = process.env.CLAUDE_CODE_BIN;
if (!CLI) throw new Error('set CLAUDE_CODE_BIN to the claude binary');

// A fixed place, so the paths in the fake's tool calls are the same on every capture.
const ROOT = '/tmp/cc-corpus';
const PROJECT = join(ROOT, 'project');
const HOME = join(ROOT, 'home');
const API_KEY = 'sk-ant-corpus-capture';
const TOOLS_ALLOWED = ['Bash', 'Read', 'Glob', 'Grep', 'Agent', 'Task', 'Edit', 'Write'];
/** The file budget above which the corpus is stored gzipped. */
const GZIP_ABOVE = 5 * 1024 * 1024;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function layHome() {
  rmSync(HOME, { recursive: true, force: true });
  mkdirSync(join(HOME, '.claude'), { recursive: true });
  writeFileSync(
    join(HOME, '.claude.json'),
    JSON.stringify({ hasCompletedOnboarding: true, theme: 'dark', customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] }, projects: { [PROJECT]: { hasTrustDialogAccepted: true, allowedTools: [] } } }),
  );
  writeFileSync(join(HOME, '.claude', 'settings.json'), JSON.stringify({ permissions: { allow: TOOLS_ALLOWED } }));
}

function cliEnv(fake) {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: API_KEY, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', TERM: 'xterm-256color' };
}

/** Runs `claude` in print mode; resolves to its stdout. */
function runPrint(fake, args) {
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { cwd: PROJECT, env: cliEnv(fake), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) process.stderr.write(`claude exited ${code}: ${(err || out).slice(0, 400)}\n`);
      resolve(out);
    });
  });
}

/** Waits until the fake got at least one request since `from` and then nothing for `quietMs`. */
async function settle(fake, from, quietMs, limitMs = 90_000) {
  const start = Date.now();
  let count = fake.records.length;
  let since = Date.now();
  while (Date.now() - start < limitMs) {
    await sleep(250);
    if (fake.records.length !== count) {
      count = fake.records.length;
      since = Date.now();
    } else if (count > from && Date.now() - since >= quietMs) return;
  }
  process.stderr.write('  (timed out waiting for the CLI)\n');
}

const TMUX = ['-L', 'cc-corpus'];
const tmux = (...args) => execFileSync('tmux', [...TMUX, ...args], { encoding: 'utf8' });

async function runUi(fake, session) {
  const env = Object.entries(cliEnv(fake)).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  tmux('new-session', '-d', '-s', 'cc', '-x', '160', '-y', '50', '-c', PROJECT, ...env, CLI);
  try {
    for (let i = 0; i < 60 && !tmux('capture-pane', '-p', '-t', 'cc').includes('❯'); i++) await sleep(500);
    for (const [index, step] of session.steps.entries()) {
      fake.state.plan = step;
      fake.state.step = { session: session.name, index };
      const from = fake.records.length;
      tmux('send-keys', '-t', 'cc', '-l', step.command ?? (step.compact ? '/compact' : step.prompt));
      await sleep(600);
      tmux('send-keys', '-t', 'cc', 'Enter');
      await settle(fake, from, step.compact ? 4000 : 3000);
    }
  } finally {
    tmux('kill-server');
  }
}

async function runSession(fake, session) {
  if (session.mode === 'ui') return runUi(fake, session);
  let sessionId = null;
  for (const [index, step] of session.steps.entries()) {
    fake.state.plan = step;
    fake.state.step = { session: session.name, index };
    const resume = index === 0 ? [] : step.resume ? ['--resume', sessionId] : ['--continue'];
    const out = await runPrint(fake, ['-p', step.prompt, '--output-format', 'json', ...resume, ...(step.flags ?? [])]);
    sessionId ??= JSON.parse(out).session_id;
    await sleep(300);
  }
}

/** Every text of ours that may appear in a request: it survives sanitising. */
function ownTexts(all) {
  const texts = new Set();
  const task = (t) => {
    if (!t) return;
    for (const s of [t.prompt, t.answer]) if (typeof s === 'string') texts.add(s);
    // Claude Code keeps only the <summary> of a compaction's answer.
    const summary = /<summary>([\s\S]*)<\/summary>/.exec(t.answer ?? '');
    if (summary) texts.add(summary[1]);
    for (const call of t.tools ?? []) {
      if (call.say) texts.add(call.say);
      if (typeof call.input.prompt === 'string') texts.add(call.input.prompt);
    }
    task(t.agent);
  };
  for (const s of all) for (const step of s.steps) task(step);
  // The slash command the user typed shows up in the client's command tags.
  for (const s of ['Let me check.', '/compact', '/context']) texts.add(s);
  return [...texts].sort((a, b) => b.length - a.length);
}

function header(headers, name) {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function lastUserBlocks(body) {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i];
    if (m.role === 'user') return typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
  }
  return [];
}

const COMPACT_TEXT = 'create a detailed summary of the conversation so far';

/** Label and expected route of each captured request of one session, in arrival order. */
function label(session, records) {
  const expectedById = new Map();
  const out = [];
  const mainSteps = new Set();
  for (const r of records) {
    const step = session.steps[r.step.index];
    const blocks = lastUserBlocks(r.body);
    const results = blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id);
    const agent = header(r.headers, 'x-claude-code-agent-id') !== undefined;
    const text = blocks.filter((b) => b.type === 'text').map((b) => b.text).join('\n');
    const where = `${session.name} step ${r.step.index + 1}`;
    let lbl;
    let expected;
    let note;
    if (r.path.startsWith('/v1/messages/count_tokens')) {
      lbl = 'count';
      expected = 'remote';
      note = `${where}: /context counts the context; count_tokens is free and exact on Anthropic, a local count would only be an estimate`;
    } else if ((!Array.isArray(r.body.tools) || r.body.tools.length === 0) && r.body.output_config?.format !== undefined) {
      lbl = 'title';
      expected = 'local';
      note = `${where}: the session-title request is cheap background work`;
    } else if (step.compact || text.includes(COMPACT_TEXT)) {
      const task = session.steps.slice(0, r.step.index).findLast((s) => s.prompt !== undefined);
      const previous = step.compact ? (step.expected ?? task.expected) : step.expected;
      lbl = 'compact';
      expected = previous;
      note = `${where}: ${step.compact ? '/compact' : 'automatic compaction'} follows the task it summarises (the summary is what that task continues from): ${previous === 'remote' ? 'an escalated task stays remote' : 'a simple one stays local'}${step.note ? `; ${step.note}` : ''}`;
    } else if (results.length > 0) {
      lbl = 'tool-loop';
      const from = results.map((id) => expectedById.get(id)).find((e) => e !== undefined);
      expected = from ?? (agent ? step.agent.expected : step.expected);
      note = `${where}: returns the results of ${results.join(', ')}${agent ? ' inside a subagent' : ''}`;
    } else if (agent) {
      lbl = 'subagent';
      expected = step.agent.expected;
      note = `${where}: the subagent's own task (${step.tools.find((t) => t.name === 'Agent').input.subagent_type})`;
    } else {
      lbl = r.step.index === 0 && !mainSteps.has(0) ? 'first-turn' : 'follow-up';
      expected = step.expected;
      note = `${where}${step.note ? `: ${step.note}` : ''}`;
      mainSteps.add(r.step.index);
    }
    for (const id of r.answered) expectedById.set(id, expected);
    out.push({ record: r, label: lbl, expected, note });
  }
  return out;
}

async function main() {
  const all = sessions(PROJECT);
  const chosen = values.only ? all.filter((s) => s.name.startsWith(values.only)) : all;
  const keep = ownTexts(all);
  const fake = await startFake();
  mkdirSync(ROOT, { recursive: true });
  const lines = [];
  const counts = {};
  try {
    for (const session of chosen) {
      layProject(PROJECT);
      layHome();
      const from = fake.records.length;
      process.stderr.write(`${session.name} (${session.mode})\n`);
      await runSession(fake, session);
      const records = fake.records.slice(from);
      for (const { record, label: lbl, expected, note } of label(session, records)) {
        counts[lbl] = (counts[lbl] ?? 0) + 1;
        const body = sanitiseBody(record.body, keep, `${session.name}:${record.step.index}`);
        lines.push(JSON.stringify({ body, headers: sanitiseHeaders(record.headers), expected, label: lbl, answer_tool_use_ids: record.answered, note }));
      }
    }
  } finally {
    await fake.close();
  }
  const text = `${lines.join('\n')}\n`;
  mkdirSync(values.out, { recursive: true });
  const name = join(values.out, `claude-code-2.1.197${values.only ? `-${values.only}` : ''}.jsonl`);
  if (Buffer.byteLength(text) > GZIP_ABOVE) writeFileSync(`${name}.gz`, gzipSync(text, { level: 9 }));
  else writeFileSync(name, text);
  process.stderr.write(`${lines.length} records: ${JSON.stringify(counts)}\n`);
}

await main();

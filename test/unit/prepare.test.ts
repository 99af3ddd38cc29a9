import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { MessagesRequest, TextBlock } from '../../src/anthropic/types.js';
import { prepareForCount, prepareLocal, type PrepareSettings } from '../../src/backends/local/prepare.js';
import { LocalFailure } from '../../src/backends/local/types.js';
import { estimateRequest } from '../../src/routing/estimate.js';
import { claudeCodeTools, filler, mainRequest, titleRequest, toolResultRequest } from '../fixtures/claude-code.js';

function settings(local: Partial<Config['local']> = {}, capabilities: PrepareSettings['capabilities'] = { tools: true, jsonSchema: 'instruction' }): PrepareSettings {
  const config = resolveConfig({ local: { model: 'local-model', contextWindow: 65_536, maxOutputTokens: 4096, ...local } }, { HOME: '/nonexistent' });
  return { local: config.local, answerReserveTokens: 1024, capabilities };
}

const failure = (fn: () => unknown): LocalFailure => {
  try {
    fn();
  } catch (error) {
    if (error instanceof LocalFailure) return error;
    throw error;
  }
  throw new Error('expected a LocalFailure');
};

describe('preparing a Claude Code main request', () => {
  const original = mainRequest('Explain the build.');
  const { request, notes } = prepareLocal(original, settings(), null);
  const body = request.body;

  it('removes the billing block, folds the role:"system" turn into the system prompt and keeps the cache breakpoints', () => {
    const system = body.system as TextBlock[];
    const clientSystem = original.system as TextBlock[];
    expect(system).toEqual([clientSystem[1], clientSystem[2], { type: 'text', text: original.messages[1]!.content }]);
    expect(body.messages.map((m) => m.role)).toEqual(['user']);
    expect(notes).toMatchObject({ billing_block_removed: true, system_turns_folded: 1 });
  });

  it('keeps only fields a strict server accepts, with the local model and a bounded max_tokens', () => {
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model', 'stream', 'system', 'tools']);
    expect(body.model).toBe('local-model');
    expect(body.max_tokens).toBe(4096);
    expect(body.stream).toBe(true);
    expect(notes.fields_dropped).toEqual(expect.arrayContaining(['context_management', 'thinking', 'output_config', 'metadata']));
  });

  it('drops tools that only exist at Anthropic and the fields of the rest that a strict server rejects', () => {
    expect(body.tools!.map((t) => t.name)).toEqual(claudeCodeTools().filter((t) => !t.defer_loading).map((t) => t.name));
    for (const tool of body.tools!) expect(Object.keys(tool).sort()).toEqual(['description', 'input_schema', 'name']);
    expect(notes).toMatchObject({ tools: 'passed', tools_unavailable_locally: 1 });
  });

  it('does not ask for thinking blocks when the client shows none (display omitted)', () => {
    expect(request.thinking).toBe(false);
    expect(prepareLocal({ ...original, thinking: { type: 'enabled', budget_tokens: 2000 } }, settings(), null).request.thinking).toBe(true);
  });

  it('estimates the input it will send', () => {
    expect(request.inputTokens).toBe(estimateRequest(body).request);
    expect(notes.input_estimate).toBe(request.inputTokens);
  });
});

describe('history cleaning', () => {
  it('removes thinking blocks and their signatures, merges what is left into alternating turns', () => {
    const original: MessagesRequest = {
      model: 'm',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 'sig' }] },
        { role: 'user', content: [{ type: 'text', text: 'q2', citations: null }] },
        { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'xx' }, { type: 'text', text: 'a2' }] },
      ],
    };
    const { request, notes } = prepareLocal(original, settings(), null);
    expect(request.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q1' }, { type: 'text', text: 'q2' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'a2' }] },
    ]);
    expect(notes.thinking_blocks_removed).toBe(2);
  });

  it('replaces images by a note unless local.vision is on', () => {
    const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png', data: 'iVBORw0KGgo=' } };
    const original: MessagesRequest = { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: [image, { type: 'text', text: 'What is this?' }] }] };
    const blind = prepareLocal(original, settings(), null);
    expect(JSON.stringify(blind.request.body)).not.toContain('iVBOR');
    expect(blind.notes.images_omitted).toBe(1);
    const seeing = prepareLocal(original, settings({ vision: true }), null);
    expect(seeing.request.body.messages[0]!.content).toEqual([image, { type: 'text', text: 'What is this?' }]);
  });
});

describe('fitting the context window', () => {
  const original = toolResultRequest('List the files.');
  const withTools = prepareLocal(original, settings(), null).request.inputTokens;
  const withoutTools = prepareLocal(original, settings({ tools: 'never' }), null).request.inputTokens;

  it('passes tools when everything fits with room for the answer', () => {
    const { request, notes } = prepareLocal(original, settings({ contextWindow: withTools + 1024 }), null);
    expect(request.body.tools).toBeDefined();
    expect(notes.tools).toBe('passed');
    expect(request.body.max_tokens).toBe(1024);
  });

  it('strips tools (recorded) when only the tool-less request fits, keeping the tool round as text', () => {
    const { request, notes } = prepareLocal(original, settings({ contextWindow: withTools + 1000 }), null);
    expect(request.body.tools).toBeUndefined();
    expect(notes.tools).toBe('stripped');
    const wire = JSON.stringify(request.body.messages);
    expect(wire).not.toContain('"tool_use"');
    expect(wire).toContain('[called the tool Bash with {\\"command\\":\\"ls -la\\",\\"description\\":\\"List files\\"}]');
    expect(wire).toContain('[tool result]\\ntotal 0');
    expect(withoutTools).toBeLessThan(withTools);
  });

  it('refuses a request that would not fit even without tools, rather than let the backend truncate it', () => {
    const error = failure(() => prepareLocal(original, settings({ contextWindow: withoutTools + 100 }), null));
    expect(error.reason).toBe('context_overflow');
    expect(error.message).toContain(`about ${withoutTools} tokens even without tools`);
  });

  it('with tools: always, refuses instead of stripping', () => {
    expect(failure(() => prepareLocal(original, settings({ tools: 'always', contextWindow: withTools + 1000 }), null)).reason).toBe('context_overflow');
  });

  it('never passes tools to a backend that cannot take them', () => {
    const { request, notes } = prepareLocal(original, settings({}, { tools: false, jsonSchema: 'instruction' }), null);
    expect(request.body.tools).toBeUndefined();
    expect(notes.tools).toBe('unsupported');
  });

  it('keeps a small max_tokens and bounds a large one by local.maxOutputTokens and the room left', () => {
    const small = { model: 'm', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(prepareLocal(small, settings(), null).request.body.max_tokens).toBe(50);
    expect(prepareLocal({ ...small, max_tokens: 128_000 }, settings(), null).request.body.max_tokens).toBe(4096);
    const input = prepareLocal(small, settings(), null).request.inputTokens;
    // The reserve is at most what the client asked for, so a tiny window still fits a tiny answer.
    expect(prepareLocal(small, settings({ contextWindow: 256 }), null).request.body.max_tokens).toBe(50);
    expect(prepareLocal({ ...small, max_tokens: 2000 }, settings({ contextWindow: input + 1500 }), null).request.body.max_tokens).toBe(1500);
  });
});

describe('the default output cap', () => {
  it("holds Claude Code's long Write calls: a 32000-token max_tokens becomes 16384 when the window has room", () => {
    // bench:llama counts Write calls of whole files with the Qwen3 tokenizer: the longest took 8787 tokens.
    const config = resolveConfig({ local: { model: 'local-model', contextWindow: 65_536 } }, { HOME: '/nonexistent' });
    const original = { ...mainRequest('Write the whole module again.'), max_tokens: 32_000 };
    const { request } = prepareLocal(original, { local: config.local, answerReserveTokens: 1024, capabilities: { tools: true, jsonSchema: 'instruction' } }, null);
    expect(request.body.max_tokens).toBe(16_384);
  });
});

describe('retrieved context', () => {
  const original = mainRequest('Explain the build.');
  const context = `Context retrieved from the local knowledge base:\n${filler(400, 'rag')}`;

  it('goes last in the system prompt, without a cache breakpoint', () => {
    const system = prepareLocal(original, settings(), context).request.body.system as TextBlock[];
    expect(system.at(-1)).toEqual({ type: 'text', text: context });
    expect(system.filter((b) => b.cache_control).length).toBe(2);
  });

  it('is dropped (recorded) when it alone would make the request too large', () => {
    const plain = prepareLocal(original, settings(), null).request.inputTokens;
    const { request, notes } = prepareLocal(original, settings({ contextWindow: plain + 1050 }), context);
    expect(JSON.stringify(request.body)).not.toContain(context);
    expect(notes).toMatchObject({ rag_dropped_to_fit: true, tools: 'passed' });
  });
});

describe('structured output', () => {
  const original = titleRequest('Fix the login test');
  const schema = original.output_config!.format!.schema;

  it('becomes an instruction for backends without native JSON schema support', () => {
    const { request, notes } = prepareLocal(original, settings(), null);
    const system = request.body.system as TextBlock[];
    expect(system.at(-1)!.text).toContain(JSON.stringify(schema));
    expect(request.format).toEqual({ schema });
    expect(notes.format).toBe('instruction');
    expect(JSON.stringify(request.body)).not.toContain('output_config');
  });

  it('is left to the backend where it can constrain the reply itself', () => {
    const { request, notes } = prepareLocal(original, settings({}, { tools: true, jsonSchema: 'native' }), null);
    expect(JSON.stringify(request.body.system)).not.toContain(JSON.stringify(schema));
    expect(request.format).toEqual({ schema });
    expect(notes.format).toBe('native');
  });
});

describe('preparing a count', () => {
  it('counts what would be sent: no billing block, the local model, tools as configured, no fitting', () => {
    const original = mainRequest('Explain the build.');
    const counted = prepareForCount(original, settings({ contextWindow: 256 }));
    expect(counted.body.tools).toBeDefined();
    expect(JSON.stringify(counted.body)).not.toContain('x-anthropic-billing-header');
    expect(counted.inputTokens).toBe(estimateRequest(counted.body).request);
    expect(prepareForCount(original, settings({ tools: 'never' })).body.tools).toBeUndefined();
  });
});

describe('a named tool_choice', () => {
  it('offers only the named tool and requires a call, keeping the other choice fields', () => {
    const original = { ...mainRequest('Read it.'), tool_choice: { type: 'tool', name: 'Read', disable_parallel_tool_use: true } };
    const { request, notes } = prepareLocal(original, settings(), null);
    expect(request.body.tools?.map((t) => t.name)).toEqual(['Read']);
    expect(request.body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(notes).toMatchObject({ tool_choice_named: true });
  });

  it('is passed as it is when no offered tool has that name', () => {
    const original = { ...mainRequest('Read it.'), tool_choice: { type: 'tool', name: 'Nope' } };
    const { request } = prepareLocal(original, settings(), null);
    expect(request.body.tools).toHaveLength(11);
    expect(request.body.tool_choice).toEqual({ type: 'tool', name: 'Nope' });
  });
});

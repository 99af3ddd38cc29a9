// Claude-Code-shaped request bodies of a fixed size, built from the test fixtures (same shapes).
import { claudeCodeHeaders, claudeCodeTools, filler, mainRequest } from '../test/fixtures/claude-code.js';
import type { MessagesRequest } from '../src/anthropic/types.js';
import { ASKED_CHARS } from '../src/routing/prompt-parts.js';

export type Size = '20kB' | '80kB';
export const SIZES: readonly Size[] = ['20kB', '80kB'];
const BYTES: Record<Size, number> = { '20kB': 20_000, '80kB': 80_000 };

/** In the prompt: the fake upstreams space their stream events 5 ms apart when they see it. */
export const SPACED_MARKER = 'bench-spacing-5ms';

export interface BenchRequest {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * A first turn (20 kB: one tool) or a tool round after reading a file (80 kB: all twelve tools),
 * padded in the last tool result or prompt to exactly the target size.
 */
export function benchRequest(size: Size, options: { model: string; stream: boolean; spaced?: boolean }): BenchRequest {
  const prompt = `Explain what the build script does.${options.spaced ? ` ${SPACED_MARKER}` : ''}`;
  const base: MessagesRequest =
    size === '20kB'
      ? mainRequest(prompt, { model: options.model, stream: options.stream, tools: claudeCodeTools().slice(0, 1) })
      : {
          ...mainRequest(prompt, { model: options.model, stream: options.stream }),
        };
  if (size === '80kB') {
    base.messages.push(
      { role: 'assistant', content: [{ type: 'text', text: 'Let me read it.' }, { type: 'tool_use', id: 'toolu_01Bench', name: 'Read', input: { file_path: 'build.sh' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Bench', content: '', is_error: false }] },
    );
  }
  const padded = pad(base, BYTES[size]);
  return { body: Buffer.from(JSON.stringify(padded)), headers: claudeCodeHeaders({ apiKey: 'sk-ant-bench-key' }) };
}

function pad(request: MessagesRequest, bytes: number): MessagesRequest {
  const missing = bytes - Buffer.byteLength(JSON.stringify(request));
  if (missing <= 0) return request;
  const last = request.messages.at(-1)!;
  const blocks = last.content as { type: string; text?: string; content?: string }[];
  const target = blocks.at(-1)!;
  if (target.type === 'tool_result') target.content = filler(missing, 'output');
  else target.text = `${target.text ?? ''}\n${filler(missing - 3, 'detail')}`;
  return request;
}

/** A question followed by ASKED_CHARS of the user's own prose: the most the classifier reads, and still a simple task. */
export function typedPrompt(): string {
  const sentences: string[] = [];
  for (let i = 0, chars = 0; chars < ASKED_CHARS; i++) {
    const sentence = `On day ${i} the worker wrote a warning to its log, waited for the upstream a little longer than usual and answered the request a moment later.`;
    sentences.push(sentence);
    chars += sentence.length + 1;
  }
  return `What does this warning mean? ${sentences.join(' ')}`;
}

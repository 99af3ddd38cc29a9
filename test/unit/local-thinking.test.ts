import { describe, expect, it } from 'vitest';
import { withoutLocalThinking } from '../../src/backends/local/thinking.js';
import { localSignature } from '../../src/backends/local/thinking.js';
import type { MessagesRequest } from '../../src/anthropic/types.js';

const local = { type: 'thinking', thinking: 'local', signature: localSignature('openai') };
const signed = { type: 'thinking', thinking: 'remote', signature: 'EqQBCkYIBxgC+/==' };

describe('history bound for Anthropic', () => {
  it('is the very same buffer when there is no local thinking', () => {
    const raw = Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'assistant', content: [signed] }] }));
    expect(withoutLocalThinking(raw, JSON.parse(raw.toString('utf8')) as MessagesRequest)).toBe(raw);
  });

  it('loses local thinking blocks, and turns that held nothing else', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [local] },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: [signed, local, { type: 'text', text: 'a' }] },
      ],
    };
    const raw = Buffer.from(JSON.stringify(body));
    const out = JSON.parse(withoutLocalThinking(raw, JSON.parse(raw.toString('utf8')) as MessagesRequest).toString('utf8')) as typeof body;
    expect(out.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: [signed, { type: 'text', text: 'a' }] },
    ]);
  });

  it('leaves a body alone where the marker appears only as text', () => {
    const raw = Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `what is ${localSignature('x')}?` }] }));
    expect(withoutLocalThinking(raw, JSON.parse(raw.toString('utf8')) as MessagesRequest)).toBe(raw);
  });
});

import { describe, expect, it } from 'vitest';
import { contentBlock } from '../../src/anthropic/blocks.js';
import type { ContentBlock, RawBlock } from '../../src/anthropic/types.js';

/** What a switch over the union can read of each case without a cast. */
function describeBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return `text ${block.text}`;
    case 'image':
      return `image ${block.source.type}`;
    case 'tool_use':
      return `tool_use ${block.name}`;
    case 'tool_result':
      return `tool_result ${block.tool_use_id}`;
    case 'thinking':
      return `thinking ${block.signature}`;
    case 'redacted_thinking':
      return `redacted ${block.data.length}`;
    case 'document':
      return 'document';
    case 'unknown':
      return `unknown ${block.block.type}`;
  }
}

describe('contentBlock: a raw block read into the closed union', () => {
  it('gives back a known, well-formed block as the very same object', () => {
    const blocks: RawBlock[] = [
      { type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } },
      { type: 'image', source: { type: 'url', url: 'https://example.test/a.png' } },
      { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
      { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a.txt' }] },
      { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
      { type: 'redacted_thinking', data: 'abc' },
      { type: 'document', source: { type: 'text', data: 'doc' } },
    ];
    for (const raw of blocks) expect(contentBlock(raw)).toBe(raw);
    expect(blocks.map((raw) => describeBlock(contentBlock(raw)))).toEqual([
      'text hi',
      'image url',
      'tool_use Bash',
      'tool_result toolu_1',
      'thinking sig',
      'redacted 3',
      'document',
    ]);
  });

  it('wraps every other block whole, including one whose type is "unknown", so no case collides', () => {
    for (const raw of [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search' }, { type: 'unknown', text: 'not text' }, { type: 'search_result' }]) {
      expect(contentBlock(raw)).toEqual({ type: 'unknown', block: raw });
      expect(describeBlock(contentBlock(raw))).toBe(`unknown ${raw.type}`);
    }
  });

  it('wraps a block of a known type that lacks a field the proxy reads', () => {
    for (const raw of [{ type: 'text' }, { type: 'tool_use', id: 'x' }, { type: 'tool_result', tool_use_id: 'x', content: 7 }, { type: 'thinking', thinking: 'no signature' }, { type: 'image', source: 'a.png' }]) {
      expect(contentBlock(raw).type).toBe('unknown');
    }
  });
});

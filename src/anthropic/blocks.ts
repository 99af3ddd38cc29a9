import { isObject } from '../shared/json.js';
import type { ContentBlock, KnownBlock, RawBlock } from './types.js';

/** Whether a raw block is a known block with the fields the proxy reads. */
function isKnown(block: RawBlock): block is KnownBlock {
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string';
    case 'image':
      return isObject(block.source);
    case 'tool_use':
      return typeof block.id === 'string' && typeof block.name === 'string';
    case 'tool_result':
      return typeof block.tool_use_id === 'string' && (block.content === undefined || typeof block.content === 'string' || Array.isArray(block.content));
    case 'thinking':
      return typeof block.thinking === 'string' && typeof block.signature === 'string';
    case 'redacted_thinking':
      return typeof block.data === 'string';
    case 'document':
      return true;
    default:
      return false;
  }
}

/** A raw block read once into the closed union: the same object when it is known, else wrapped as the unknown block. */
export function contentBlock(block: RawBlock): ContentBlock {
  return isKnown(block) ? block : { type: 'unknown', block };
}

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ApiError } from '../../src/anthropic/errors.js';
import { MAX_NESTING, parseMessagesBody } from '../../src/anthropic/validate.js';

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return 1 + deepest;
}

const bodyWith = (extra: string) => Buffer.from(`{"model":"claude-x","messages":[{"role":"user","content":"hi"}],"extra":${extra}}`);

describe('parseMessagesBody on arbitrary input', () => {
  it('accepts or throws an ApiError; never anything else (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v) ?? ''))), (raw) => {
        try {
          parseMessagesBody(raw, false);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect((error as ApiError).status).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses exactly the bodies that nest deeper than the limit, whatever their strings hold (property)', () => {
    const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', 'a', ':', ',') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(tricky, tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: MAX_NESTING + 2 }), (inner, wrap) => {
        const text = '['.repeat(wrap) + JSON.stringify(inner) + ']'.repeat(wrap);
        const depth = 1 + depthOf(JSON.parse(text));
        const accepted = (() => {
          try {
            parseMessagesBody(bodyWith(text), false);
            return true;
          } catch {
            return false;
          }
        })();
        expect(accepted).toBe(depth <= MAX_NESTING);
      }),
      { numRuns: 500 },
    );
  });

  it('a tool_result nested in tool_result contents deeper than the limit is refused with 400', () => {
    let content = '"x"';
    for (let i = 0; i < 50_000; i++) content = `[{"type":"tool_result","tool_use_id":"t","content":${content}}]`;
    const raw = Buffer.from(`{"model":"m","messages":[{"role":"user","content":${content}}]}`);
    expect(() => parseMessagesBody(raw, false)).toThrow(/nests deeper/);
  });
});

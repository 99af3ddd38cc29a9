import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveConfig } from '../../src/config/load.js';
import { parseMessagesBody } from '../../src/anthropic/validate.js';
import type { MessagesRequest } from '../../src/anthropic/types.js';
import { estimateRequest, estimateText, jsonLength } from '../../src/routing/estimate.js';
import { createRouter } from '../../src/routing/router.js';
import { mainRequest, titleRequest, toolResultRequest } from '../fixtures/claude-code.js';
import { allPaths, setAt } from './json-paths.js';

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('\ud800', '\udfff', 'a', '語', '😀') }));

const fields = (e: ReturnType<typeof estimateRequest>) => [e.query, e.conversation, e.request, e.system, e.tools, e.images];
const sane = (n: number) => Number.isFinite(n) && n >= 0;


describe('the token estimate', () => {
  it('measures JSON (tool schemas and inputs) as long as JSON.stringify would write it, for any JSON value (property)', () => {
    const withKeys = fc.jsonValue({ stringUnit: fc.constantFrom('a', '"', '\\', '\n', '\u0001', '\u2028', '\ud800', '\udfff', '😀', '語') });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ stringUnit: 'binary' }), withKeys), (value) => {
        expect(jsonLength(value)).toBe(JSON.stringify(value).length);
      }),
      { numRuns: 3000 },
    );
    expect(jsonLength({ a: undefined, b: [undefined, 1] })).toBe(JSON.stringify({ a: undefined, b: [undefined, 1] }).length);
  });

  it('of any text is finite, non-negative, and never shrinks when text is added (property)', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        expect(sane(estimateText(a))).toBe(true);
        expect(estimateText(a + b)).toBeGreaterThanOrEqual(estimateText(a));
      }),
      { numRuns: 2000 },
    );
  });

  it('of a request grows with every text added to its last user turn, on every basis (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(mainRequest('Explain the build.'), toolResultRequest('List.'), titleRequest('Name it.')), anyText, (base, extra) => {
        const before = estimateRequest(base);
        const grown = structuredClone(base);
        grown.messages.push({ role: 'user', content: [{ type: 'text', text: extra }] });
        const after = estimateRequest(grown);
        expect(fields(after).every(sane)).toBe(true);
        expect(after.conversation).toBeGreaterThanOrEqual(before.conversation);
        expect(after.request).toBeGreaterThanOrEqual(before.request);
        const longer = structuredClone(grown);
        (longer.messages.at(-1)!.content as { type: 'text'; text: string }[])[0]!.text += extra;
        expect(estimateRequest(longer).query).toBeGreaterThanOrEqual(after.query);
      }),
      { numRuns: 500 },
    );
  });

  it('and the router never throw on a body the validator accepts, whatever it holds (property)', () => {
    const config = resolveConfig({ local: { enabled: true, aliases: ['claude-local'] }, routing: { rules: [{ match: { queryRegex: 'deploy' }, route: 'remote' }] } }, { HOME: '/nonexistent' });
    const router = createRouter(config, { local: { enabled: true, healthy: () => true } });
    const templates = [mainRequest('Explain the build.'), toolResultRequest('List the files.'), titleRequest('Name it.')] as unknown as Record<string, unknown>[];
    const paths = templates.map((t) => allPaths(t));
    fc.assert(
      fc.property(fc.nat(templates.length - 1), fc.nat(), fc.anything({ maxDepth: 3, withObjectString: true, withNullPrototype: true }), (which, pick, value) => {
        const body = structuredClone(templates[which]!);
        setAt(body, paths[which]![pick % paths[which]!.length]!, value);
        let parsed: MessagesRequest;
        try {
          parsed = parseMessagesBody(Buffer.from(JSON.stringify(body)), false);
        } catch {
          return;
        }
        expect(fields(estimateRequest(parsed)).every(sane)).toBe(true);
        for (const endpoint of ['messages', 'count_tokens'] as const) {
          const decision = router.decide({ endpoint, body: parsed, headers: {}, now: new Date() });
          expect(['local', 'remote']).toContain(decision.route);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

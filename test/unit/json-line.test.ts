import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedTimestamp, toJsonLine } from '../../src/telemetry/json-line.js';

describe("telemetry lines in the seed's format (Python json.dumps defaults)", () => {
  it('puts a space after separators outside strings only, and escapes non-ASCII', () => {
    const value = { a: 1, b: [1, 2], c: { d: 'x:y, z', q: 'say "hi", ok\\\\' }, e: 'é\u2028😀', n: null, t: true, f: 1.5, u: undefined };
    // What python3 -c 'import json; print(json.dumps(...))' prints for the same value.
    const python = String.raw`{"a": 1, "b": [1, 2], "c": {"d": "x:y, z", "q": "say \"hi\", ok\\\\"}, "e": "\u00e9\u2028\ud83d\ude00", "n": null, "t": true, "f": 1.5}`;
    expect(toJsonLine(value)).toBe(`${python}\n`);
  });

  it('parses back to the same value', () => {
    const value = { metadata: { routing_decision: 'local', estimate: { query: 3, request: 12000 }, reason: 'simple_query', fallback: null } };
    expect(JSON.parse(toJsonLine(value))).toEqual(value);
  });

  it('equals JSON.stringify with spaces added after separators outside strings and non-ASCII escaped, for any JSON value', () => {
    // The plain two-pass construction of the same format, as the reference.
    const reference = (value: unknown): string => {
      const json = JSON.stringify(value);
      let out = '';
      let inString = false;
      for (let i = 0; i < json.length; i++) {
        const c = json[i];
        out += c;
        if (inString) {
          if (c === '\\') out += json[++i];
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === ':' || c === ',') out += ' ';
      }
      return `${out.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
    };
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        expect(toJsonLine(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes timestamps like Python's datetime.isoformat()", () => {
    expect(seedTimestamp(new Date(2025, 11, 22, 10, 30, 45, 123))).toBe('2025-12-22T10:30:45.123000');
  });
});

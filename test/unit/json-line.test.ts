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

  it("writes timestamps like Python's datetime.isoformat()", () => {
    expect(seedTimestamp(new Date(2025, 11, 22, 10, 30, 45, 123))).toBe('2025-12-22T10:30:45.123000');
  });
});

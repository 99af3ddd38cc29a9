import { describe, expect, it } from 'vitest';
import { StopScanner } from '../../src/backends/local/adapters/openai/stop-scan.js';

function scan(sequences: string[], pieces: string[]): { passed: string[]; matched: string | null; rest: string } {
  const scanner = new StopScanner(sequences);
  const passed = pieces.map((p) => scanner.push(p));
  return { passed, matched: scanner.matched, rest: scanner.flush() };
}

describe('StopScanner', () => {
  it('passes text through at once when no end of it could start a stop sequence', () => {
    expect(scan(['END'], ['hello ', 'world'])).toEqual({ passed: ['hello ', 'world'], matched: null, rest: '' });
  });

  it('holds back only what could be the start of a stop sequence', () => {
    expect(scan(['END'], ['the E', 'N', 'D of it'])).toEqual({ passed: ['the ', '', ''], matched: 'END', rest: '' });
  });

  it('stops at the sequence that completes first', () => {
    expect(scan(['abcd', 'bc'], ['xabcd'])).toMatchObject({ passed: ['xa'], matched: 'bc' });
  });

  it('passes nothing after a match', () => {
    const scanner = new StopScanner(['!']);
    expect(scanner.push('hi! there')).toBe('hi');
    expect(scanner.push('more')).toBe('');
  });
});

import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/upstream/deadlines.js';

const LONG = 60_000;

describe('Deadlines', () => {
  it("aborts its signal with the caller's reason when the caller aborts", () => {
    const caller = new AbortController();
    const deadlines = new Deadlines(LONG, LONG, caller.signal);
    expect(deadlines.signal.aborted).toBe(false);
    caller.abort(new Error('client went away'));
    expect(deadlines.signal.aborted).toBe(true);
    expect(deadlines.signal.reason).toEqual(new Error('client went away'));
    expect(deadlines.fired).toBeNull();
    deadlines.stop();
  });

  it('starts aborted for a caller that already is', () => {
    const caller = new AbortController();
    caller.abort('gone');
    const deadlines = new Deadlines(LONG, LONG, caller.signal);
    expect(deadlines.signal.aborted).toBe(true);
    expect(deadlines.signal.reason).toBe('gone');
    deadlines.stop();
  });

  it('leaves no listener on the caller once stopped, however many requests it made', () => {
    const caller = new AbortController();
    for (let i = 0; i < 50; i++) new Deadlines(LONG, LONG, caller.signal).stop();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts when the first byte is late, and says which deadline fired', async () => {
    const deadlines = new Deadlines(20, LONG, new AbortController().signal);
    await new Promise((resolve) => deadlines.signal.addEventListener('abort', resolve, { once: true }));
    expect(deadlines.fired).toBe('first_byte');
    expect(deadlines.allowedMs).toBe(20);
    deadlines.stop();
  });

  it('after the first chunk, aborts on silence between chunks', async () => {
    const deadlines = new Deadlines(LONG, 20, new AbortController().signal);
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from('a');
      await new Promise((resolve) => deadlines.signal.addEventListener('abort', resolve, { once: true }));
      throw new Error('aborted');
    }
    const chunks: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of deadlines.guard(body(), (error) => error)) chunks.push(String(chunk));
      })(),
    ).rejects.toThrow('aborted');
    expect(chunks).toEqual(['a']);
    expect(deadlines.fired).toBe('idle');
    expect(deadlines.allowedMs).toBe(20);
  });
});

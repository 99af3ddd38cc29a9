/**
 * Finds the client's stop sequences in streamed text. OpenAI-style servers cut at a stop string but
 * do not say which one matched, so the proxy matches them itself: text that could be the start of
 * a stop sequence is held back until the next piece shows whether it is.
 */
export class StopScanner {
  private pending = '';
  private found: string | null = null;

  constructor(private readonly sequences: readonly string[]) {}

  /** The stop sequence that ended the text, once one has. */
  get matched(): string | null {
    return this.found;
  }

  /** The part of `text` that can be passed on now; after a match, nothing more. */
  push(text: string): string {
    if (this.found !== null) return '';
    const buffer = this.pending + text;
    let end = Number.POSITIVE_INFINITY;
    let cut = -1;
    for (const sequence of this.sequences) {
      const at = buffer.indexOf(sequence);
      // The sequence that completes first is the one a server would have stopped at.
      if (at >= 0 && at + sequence.length < end) {
        end = at + sequence.length;
        cut = at;
        this.found = sequence;
      }
    }
    if (this.found !== null) {
      this.pending = '';
      return buffer.slice(0, cut);
    }
    const held = this.heldLength(buffer);
    this.pending = buffer.slice(buffer.length - held);
    return buffer.slice(0, buffer.length - held);
  }

  /** Text held back at the end of the answer: it was no stop sequence after all. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  /** The longest end of `buffer` that a stop sequence begins with. */
  private heldLength(buffer: string): number {
    let longest = 0;
    for (const sequence of this.sequences) {
      for (let n = Math.min(sequence.length - 1, buffer.length); n > longest; n--) {
        if (buffer.endsWith(sequence.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}

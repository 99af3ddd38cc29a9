/** One server-sent event: its name (default "message") and its data lines joined by "\n". */
export interface SseRecord {
  event: string;
  data: string;
}

/**
 * Incremental SSE parser (the WHATWG event-stream rules): bytes in any chunking, LF/CRLF/CR line
 * ends, multi-line data, comments. It never holds more than one unfinished line and one event.
 */
export class SseReader {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private eventName = '';
  private dataLines: string[] = [];

  constructor(private readonly onRecord: (record: SseRecord) => void) {}

  push(chunk: Uint8Array | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    this.drainLines(false);
  }

  /** Flushes what is left; an unterminated final event is dropped, as the spec says. */
  end(): void {
    this.pending += this.decoder.decode();
    this.drainLines(true);
    this.pending = '';
    this.eventName = '';
    this.dataLines = [];
  }

  private drainLines(final: boolean): void {
    let start = 0;
    const text = this.pending;
    for (;;) {
      const lf = text.indexOf('\n', start);
      const cr = text.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (cr === text.length - 1 && !final) break;
        end = cr;
        next = text[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      this.line(text.slice(start, end));
      start = next;
    }
    this.pending = start === 0 ? text : text.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.dataLines.length > 0) {
        this.onRecord({ event: this.eventName || 'message', data: this.dataLines.join('\n') });
      }
      this.eventName = '';
      this.dataLines = [];
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' comment */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.dataLines.push(value);
  }
}

/** One server-sent event: its name (default "message") and its data lines joined by "\n". */
export interface SseRecord {
  event: string;
  data: string;
}

export interface SseReaderOptions {
  /**
   * Most bytes one event may hold: its unfinished line plus the data and name already read. Beyond
   * it the reader stops reading the stream and calls `onOverflow` once (an upstream writing one
   * event forever must not grow memory).
   */
  maxEventBytes?: number;
  onOverflow?: () => void;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const DATA = Buffer.from('data');
const EVENT = Buffer.from('event');
const EMPTY = Buffer.alloc(0);

const toBuffer = (chunk: Uint8Array | string): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/**
 * Incremental SSE parser (the WHATWG event-stream rules): bytes in any chunking, LF/CRLF/CR line
 * ends, multi-line data, comments. Each byte is scanned once: an unfinished line is kept as the
 * chunks it arrived in and decoded only when it ends (line ends are ASCII, so a line is whole UTF-8).
 */
export class SseReader {
  private readonly maxEventBytes: number;
  private readonly onOverflow: () => void;
  /** Chunks of the line not yet ended, and their total length. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** The last chunk ended with CR: an LF starting the next one belongs to it. */
  private skipLf = false;
  /** Bytes seen before deciding whether the stream starts with a byte order mark. */
  private head: Buffer | null = EMPTY;
  private stopped = false;
  private eventName = '';
  private dataLines: string[] = [];
  private eventBytes = 0;

  constructor(
    private readonly onRecord: (record: SseRecord) => void,
    options: SseReaderOptions = {},
  ) {
    this.maxEventBytes = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
    this.onOverflow = options.onOverflow ?? (() => undefined);
  }

  push(chunk: Uint8Array | string): void {
    if (this.stopped) return;
    const bytes = this.withoutBom(toBuffer(chunk));
    if (bytes !== null) this.scan(bytes);
  }

  /** Forgets what is left; an unterminated final event is dropped, as the spec says. */
  end(): void {
    if (!this.stopped && this.head !== null && this.head.length > 0) this.scan(this.head);
    this.head = null;
    this.parts = [];
    this.partsBytes = 0;
    this.eventName = '';
    this.dataLines = [];
    this.eventBytes = 0;
  }

  /** Strips a leading byte order mark, which may arrive split across chunks; null while undecided. */
  private withoutBom(bytes: Buffer): Buffer | null {
    if (this.head === null) return bytes;
    const start = this.head.length === 0 ? bytes : Buffer.concat([this.head, bytes]);
    const compared = Math.min(start.length, BOM.length);
    if (start.subarray(0, compared).equals(BOM.subarray(0, compared))) {
      if (start.length < BOM.length) {
        this.head = start;
        return null;
      }
      this.head = null;
      return start.subarray(BOM.length);
    }
    this.head = null;
    return start;
  }

  private scan(bytes: Buffer): void {
    const n = bytes.length;
    let start = 0;
    if (this.skipLf && n > 0) {
      this.skipLf = false;
      if (bytes[0] === LF) start = 1;
    }
    let lf = bytes.indexOf(LF, start);
    let cr = bytes.indexOf(CR, start);
    for (;;) {
      // Each search resumes past the line just read, never from the chunk's start.
      if (lf !== -1 && lf < start) lf = bytes.indexOf(LF, start);
      if (cr !== -1 && cr < start) cr = bytes.indexOf(CR, start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 < n) next = bytes[cr + 1] === LF ? cr + 2 : cr + 1;
        else {
          next = n;
          this.skipLf = true;
        }
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      if (!this.fits(this.partsBytes + end - start)) return;
      this.line(this.takeLine(bytes.subarray(start, end)));
      if (this.stopped) return;
      start = next;
    }
    if (start < n) {
      if (!this.fits(this.partsBytes + n - start)) return;
      this.parts.push(bytes.subarray(start));
      this.partsBytes += n - start;
    }
  }

  private takeLine(last: Buffer): Buffer {
    if (this.parts.length === 0) return last;
    this.parts.push(last);
    const line = Buffer.concat(this.parts, this.partsBytes + last.length);
    this.parts = [];
    this.partsBytes = 0;
    return line;
  }

  /** Whether an event holding `lineBytes` more stays within the limit; stops reading when not. */
  private fits(lineBytes: number): boolean {
    if (this.eventBytes + lineBytes <= this.maxEventBytes) return true;
    this.stopped = true;
    this.parts = [];
    this.partsBytes = 0;
    this.dataLines = [];
    this.onOverflow();
    return false;
  }

  private line(line: Buffer): void {
    if (line.length === 0) {
      if (this.dataLines.length > 0) {
        this.onRecord({ event: this.eventName || 'message', data: this.dataLines.join('\n') });
      }
      this.eventName = '';
      this.dataLines = [];
      this.eventBytes = 0;
      return;
    }
    if (line[0] === COLON) return;
    const colon = line.indexOf(COLON);
    const field = colon === -1 ? line : line.subarray(0, colon);
    let valueStart = colon === -1 ? line.length : colon + 1;
    if (line[valueStart] === SPACE) valueStart++;
    if (field.equals(DATA)) {
      this.dataLines.push(line.toString('utf8', valueStart));
      this.eventBytes += line.length - valueStart + 1;
    } else if (field.equals(EVENT)) {
      this.eventName = line.toString('utf8', valueStart);
      this.eventBytes += line.length - valueStart;
    }
  }
}

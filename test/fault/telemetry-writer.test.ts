import { close, createWriteStream, open, write as fsWrite, type WriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway } from '../helpers/gateway.js';
import { claudeCodeHeaders, mainRequest } from '../fixtures/claude-code.js';
import { JsonlTelemetryWriter, eventFileName } from '../../src/telemetry/writer.js';
import type { TelemetryEvent } from '../../src/telemetry/event.js';
import { eventually } from '../helpers/proxy.js';
import { scratchDirs } from '../helpers/scratch.js';

const scratchDir = scratchDirs('cap-tw-');

const event = (n: number) => ({ timestamp: 't', event_type: 'api_query_routed', source: 'claude_api_proxy', metadata: { n } }) as unknown as TelemetryEvent;

function capture() {
  const lines: string[] = [];
  return { lines, logger: pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) }) };
}

/** A file whose every write fails as a full disk does (ENOSPC), injected at the fs layer. */
function fullDisk(path: string): WriteStream {
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
  return createWriteStream(path, {
    flags: 'a',
    fs: {
      open,
      close,
      write: (_fd: number, _b: unknown, ...rest: unknown[]) => (rest.at(-1) as (e: Error) => void)(enospc()),
      writev: (_fd: number, _b: unknown, _p: unknown, cb: (e: Error) => void) => cb(enospc()),
    },
  });
}

/** A real file whose writes are counted. */
function countingFile(writes: { count: number }): (path: string) => WriteStream {
  return (path) =>
    createWriteStream(path, {
      flags: 'a',
      fs: {
        open,
        close,
        write: (...args: Parameters<typeof fsWrite>) => {
          writes.count++;
          return fsWrite(...args);
        },
      },
    });
}

const lineNumbers = (text: string) => text.trim().split('\n').map((l) => (JSON.parse(l) as { metadata: { n: number } }).metadata.n);

describe('JsonlTelemetryWriter batching', () => {
  it('appends the events of one interval in one write', async () => {
    const dir = await scratchDir();
    const writes = { count: 0 };
    const writer = new JsonlTelemetryWriter(dir, capture().logger, { flushIntervalMs: 20, openFile: countingFile(writes) });
    try {
      for (let i = 0; i < 50; i++) writer.write(event(i));
      expect(writes.count).toBe(0);
      await eventually(async () => writer.counters.written === 50);
      expect(writes.count).toBe(1);
      expect(lineNumbers(await readFile(join(dir, eventFileName(new Date())), 'utf8'))).toEqual([...Array(50).keys()]);
    } finally {
      await writer.close();
    }
  });

  it('flush() writes at once, without waiting for the interval', async () => {
    const dir = await scratchDir();
    const writer = new JsonlTelemetryWriter(dir, capture().logger, { flushIntervalMs: 60_000 });
    try {
      writer.write(event(7));
      await writer.flush();
      expect(lineNumbers(await readFile(join(dir, eventFileName(new Date())), 'utf8'))).toEqual([7]);
    } finally {
      await writer.close();
    }
  });

  it('events on both sides of local midnight go to their own day files, even in one batch', async () => {
    const dir = await scratchDir();
    const clock = { now: new Date(2026, 2, 9, 23, 59, 59, 990) };
    const writer = new JsonlTelemetryWriter(dir, capture().logger, { now: () => clock.now, flushIntervalMs: 60_000 });
    try {
      writer.write(event(1));
      clock.now = new Date(2026, 2, 10, 0, 0, 0, 10);
      writer.write(event(2));
      writer.write(event(3));
      await writer.flush();
      expect(lineNumbers(await readFile(join(dir, 'events-2026-03-09.jsonl'), 'utf8'))).toEqual([1]);
      expect(lineNumbers(await readFile(join(dir, 'events-2026-03-10.jsonl'), 'utf8'))).toEqual([2, 3]);
    } finally {
      await writer.close();
    }
  });

  it('with flushIntervalMs 0, an event is written without waiting for a timer', async () => {
    const dir = await scratchDir();
    const writer = new JsonlTelemetryWriter(dir, capture().logger, { flushIntervalMs: 0 });
    try {
      writer.write(event(5));
      await eventually(async () => writer.counters.written === 1);
    } finally {
      await writer.close();
    }
  });
});

describe('JsonlTelemetryWriter', () => {
  it('appends lines to the daily file and counts them once the file took them', async () => {
    const dir = await scratchDir();
    const { logger } = capture();
    const writer = new JsonlTelemetryWriter(dir, logger);
    for (let i = 0; i < 3; i++) writer.write(event(i));
    await writer.flush();
    expect(writer.counters).toEqual({ written: 3, failed: 0 });
    const text = await readFile(join(dir, eventFileName(new Date())), 'utf8');
    expect(text.trim().split('\n').map((l) => (JSON.parse(l) as { metadata: { n: number } }).metadata.n)).toEqual([0, 1, 2]);
    await writer.close();
  });

  it('a full disk (ENOSPC) loses the events, counts them as failed and warns once', async () => {
    const dir = await scratchDir();
    const { lines, logger } = capture();
    const writer = new JsonlTelemetryWriter(dir, logger, { retryMs: 0, openFile: fullDisk });
    for (let i = 0; i < 4; i++) {
      writer.write(event(i));
      await writer.flush();
    }
    expect(writer.counters).toEqual({ written: 0, failed: 4 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ENOSPC');
  });

  it('while serving: a full disk never fails or holds up a request', async () => {
    const { lines, logger } = capture();
    const dir = await scratchDir();
    const writer = new JsonlTelemetryWriter(dir, logger, { retryMs: 0, openFile: fullDisk });
    const gateway = await startGateway({ settings: { local: { enabled: false } }, ctx: { telemetry: writer } });
    try {
      for (let i = 0; i < 6; i++) {
        const res = await request(`${gateway.proxy.url}/v1/messages?beta=true`, { method: 'POST', headers: claudeCodeHeaders(), body: JSON.stringify(mainRequest(`q${i}`, { stream: i % 2 === 0 })) });
        expect(res.statusCode).toBe(200);
        expect(await res.body.text()).toContain('Hello');
      }
      await writer.flush();
      expect(writer.counters).toEqual({ written: 0, failed: 6 });
      expect(lines.filter((l) => l.includes('telemetry cannot be written'))).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });
});

describe('JsonlTelemetryWriter when the files change under it', () => {
  it('the directory removed while serving: it is made again and the next events land in it', async () => {
    const dir = join(await scratchDir(), 'telemetry');
    const writer = new JsonlTelemetryWriter(dir, capture().logger, { flushIntervalMs: 0 });
    try {
      writer.write(event(1));
      await writer.flush();
      await rm(dir, { recursive: true });
      writer.write(event(2));
      await writer.flush();
      expect(lineNumbers(await readFile(join(dir, eventFileName(new Date())), 'utf8'))).toEqual([2]);
      expect(writer.counters).toEqual({ written: 2, failed: 0 });
    } finally {
      await writer.close();
    }
  });

  // With a flush interval the path is checked once per interval: the next write after it notices.
  it.each([
    { flushIntervalMs: 0, waitMs: 0 },
    { flushIntervalMs: 20, waitMs: 40 },
  ])("the day's file moved away (log rotation): a new file is started at the path (flush interval $flushIntervalMs ms)", async ({ flushIntervalMs, waitMs }) => {
    const dir = await scratchDir();
    const writer = new JsonlTelemetryWriter(dir, capture().logger, { flushIntervalMs });
    const path = join(dir, eventFileName(new Date()));
    try {
      writer.write(event(1));
      await writer.flush();
      await rename(path, `${path}.1`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      writer.write(event(2));
      await writer.flush();
      expect(lineNumbers(await readFile(`${path}.1`, 'utf8'))).toEqual([1]);
      expect(lineNumbers(await readFile(path, 'utf8'))).toEqual([2]);
    } finally {
      await writer.close();
    }
  });

  it('a file torn inside a line (a write cut by a full disk) gets a newline before the next event', async () => {
    const dir = await scratchDir();
    const path = join(dir, eventFileName(new Date()));
    await writeFile(path, '{"timestamp": "t", "event_type": "api_query_ro');
    const writer = new JsonlTelemetryWriter(dir, capture().logger, { flushIntervalMs: 0 });
    try {
      writer.write(event(3));
      writer.write(event(4));
      await writer.flush();
      const lines = (await readFile(path, 'utf8')).split('\n');
      expect(lines[0]).toBe('{"timestamp": "t", "event_type": "api_query_ro');
      expect(lines.slice(1).filter(Boolean).map((l) => (JSON.parse(l) as { metadata: { n: number } }).metadata.n)).toEqual([3, 4]);
    } finally {
      await writer.close();
    }
  });
});

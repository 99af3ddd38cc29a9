import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeExpiredEventFiles, RetentionSweeper } from '../../src/telemetry/retention.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cap-retention-unit-'));
  for (const day of ['2026-08-01', '2026-08-25', '2026-08-26', '2026-11-23', '2026-11-24']) await writeFile(join(dir, `events-${day}.jsonl`), '{}\n');
  await writeFile(join(dir, 'aidb-events.jsonl'), '{}\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const files = async () => (await readdir(dir)).sort();

describe('telemetry retention', () => {
  it('keeps the last retentionDays days besides today, by the date in the file name', async () => {
    const removed = await removeExpiredEventFiles(dir, 90, new Date(2026, 10, 24, 9, 30));
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['events-2026-08-01.jsonl', 'events-2026-08-25.jsonl']);
    expect(await files()).toEqual(['aidb-events.jsonl', 'events-2026-08-26.jsonl', 'events-2026-11-23.jsonl', 'events-2026-11-24.jsonl']);
  });

  it('sweeps at start and again on its interval as the days pass', async () => {
    let now = new Date(2026, 10, 24, 12, 0);
    const sweeper = new RetentionSweeper(dir, 1, pino({ level: 'silent' }), () => now, 20);
    sweeper.start();
    const until = async (expected: string[]) => {
      for (let i = 0; i < 200 && JSON.stringify(await files()) !== JSON.stringify(expected); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await files()).toEqual(expected);
    };
    await until(['aidb-events.jsonl', 'events-2026-11-23.jsonl', 'events-2026-11-24.jsonl']);
    now = new Date(2026, 10, 25, 12, 0);
    await until(['aidb-events.jsonl', 'events-2026-11-24.jsonl']);
    await sweeper.stop();
  });

  it('a missing directory is nothing to remove', async () => {
    expect(await removeExpiredEventFiles(join(dir, 'absent'), 30, new Date())).toEqual([]);
  });
});

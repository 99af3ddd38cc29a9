import { closeSync, openSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, logDestination, stderrIsJournal } from '../../src/logger.js';
import { eventually } from '../helpers/proxy.js';
import { scratchDirs } from '../helpers/scratch.js';

const scratchDir = scratchDirs('cap-log-');

function capture(journal: boolean) {
  const lines: string[] = [];
  const logger = createLogger('debug', false, { write: (line: string) => void lines.push(line) }, journal);
  return { logger, lines };
}

describe('journald priorities', () => {
  it('prefix every line with the syslog priority of its level when stderr is the journal', () => {
    const { logger, lines } = capture(true);
    logger.error('e');
    logger.warn('w');
    logger.info('i');
    logger.debug('d');
    expect(lines.map((l) => l.slice(0, 4))).toEqual(['<3>{', '<4>{', '<6>{', '<7>{']);
    expect(JSON.parse(lines[1]!.slice(3))).toMatchObject({ level: 40, msg: 'w' });
  });

  it('leave lines as plain JSON otherwise', () => {
    const { logger, lines } = capture(false);
    logger.warn('w');
    expect(lines[0]!.startsWith('{')).toBe(true);
  });

  it('stderr is the journal only when JOURNAL_STREAM names its device and inode', async () => {
    const file = join(await scratchDir(), 'stream');
    await writeFile(file, '');
    const { dev, ino } = await stat(file);
    expect(stderrIsJournal(`${dev}:${ino}`, { dev, ino })).toBe(true);
    expect(stderrIsJournal(`${dev}:${ino + 1}`, { dev, ino })).toBe(false);
    expect(stderrIsJournal(undefined, { dev, ino })).toBe(false);
  });
});

describe('the log destination', () => {
  it('writes a lone line within the flush interval, and everything at once when flushed at exit', async () => {
    const file = join(await scratchDir(), 'stderr');
    const fd = openSync(file, 'a');
    const destination = logDestination(fd);
    try {
      const logger = createLogger('info', false, destination, false);
      logger.info('alone');
      await eventually(async () => (await readFile(file, 'utf8')).includes('"msg":"alone"'));
      for (const n of [1, 2, 3]) logger.info(`before exit ${n}`);
      destination.flushSync();
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['alone', 'before exit 1', 'before exit 2', 'before exit 3']);
    } finally {
      closeSync(fd);
    }
  });
});

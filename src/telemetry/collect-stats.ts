import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseEventLine } from './event-line.js';
import { DAY_MS, listEventFiles, startOfLocalDay, type EventFile } from './event-files.js';
import { StatsAccumulator, type BucketSize, type GroupBy, type StatsReport } from './stats.js';

export interface StatsQuery {
  dir: string;
  /** Inclusive lower bound of the request start time. */
  since: Date | null;
  /** Exclusive upper bound of the request start time. */
  until: Date | null;
  by: GroupBy | null;
  /** The timeline's step; `auto` when not given. */
  bucket?: BucketSize;
  now: Date;
}

/**
 * A file is named after the day its events were written; a request that started before midnight is
 * written after it. One day of margin keeps such events while skipping files that cannot match.
 */
function mayHoldRange(file: EventFile, since: Date | null, until: Date | null): boolean {
  const start = startOfLocalDay(file.day).getTime();
  if (since && start + 2 * DAY_MS <= since.getTime()) return false;
  if (until && start - DAY_MS >= until.getTime()) return false;
  return true;
}

/** Streams the daily files line by line (constant memory per line, any file size) into a report. */
export async function collectStats(query: StatsQuery): Promise<StatsReport> {
  const { files, dirBytes } = await listEventFiles(query.dir);
  const acc = new StatsAccumulator(query.by, query.bucket);
  const since = query.since?.getTime() ?? -Infinity;
  const until = query.until?.getTime() ?? Infinity;
  let read = 0;
  let unreadable = 0;
  for (const file of files) {
    if (!mayHoldRange(file, query.since, query.until)) continue;
    try {
      await readLines(file.path, (line) => {
        const parsed = parseEventLine(line);
        switch (parsed.type) {
          case 'event':
            if (parsed.event.unixMs >= since && parsed.event.unixMs < until) acc.add(parsed.event);
            else acc.lines.out_of_range++;
            return;
          case 'blank':
            return;
          default:
            acc.lines[parsed.type]++;
        }
      });
      read++;
    } catch {
      // Removed by retention or unreadable while we looked: counted, the rest still adds up.
      unreadable++;
    }
  }
  return acc.report({
    generatedAt: query.now,
    dir: query.dir,
    since: query.since,
    until: query.until,
    files: { event_files: files.length, event_bytes: files.reduce((sum, f) => sum + f.bytes, 0), dir_bytes: dirBytes, read, unreadable },
  });
}

async function readLines(path: string, onLine: (line: string) => void): Promise<void> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', onLine);
  await Promise.race([once(lines, 'close'), once(input, 'error').then(([error]) => Promise.reject(error))]);
}

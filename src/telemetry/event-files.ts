import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../shared/errors.js';

/** One daily events-YYYY-MM-DD.jsonl file; `day` is the local date in its name. */
export interface EventFile {
  path: string;
  day: string;
  bytes: number;
}

export interface TelemetryDirectory {
  files: EventFile[];
  /** Every regular file in the directory, event files or not. */
  dirBytes: number;
}

const EVENT_FILE = /^events-(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** The event files of a telemetry directory, oldest first; a missing directory is an empty one. */
export async function listEventFiles(dir: string): Promise<TelemetryDirectory> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { files: [], dirBytes: 0 };
    throw error;
  }
  const regular = entries.filter((e) => e.isFile());
  const sized = await Promise.all(
    regular.map(async (e) => {
      const path = join(dir, e.name);
      const bytes = await stat(path).then(
        (s) => s.size,
        () => 0,
      );
      return { name: e.name, path, bytes };
    }),
  );
  const files: EventFile[] = [];
  for (const f of sized) {
    const day = EVENT_FILE.exec(f.name)?.[1];
    if (day) files.push({ path: f.path, day, bytes: f.bytes });
  }
  files.sort((a, b) => a.day.localeCompare(b.day));
  return { files, dirBytes: sized.reduce((sum, f) => sum + f.bytes, 0) };
}

/** A day of event files, in milliseconds (a local day may be an hour longer or shorter). */
export const DAY_MS = 86_400_000;

/** Local midnight at the start of a YYYY-MM-DD day. */
export function startOfLocalDay(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

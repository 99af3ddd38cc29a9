import { readFile } from 'node:fs/promises';
import { errorCode } from '../shared/errors.js';

/** Told about a failure to read or write a file of the state directory. */
export type StateFileReport = (message: string, error: unknown) => void;

/** A state file's text; null when there is none yet, or when it cannot be read (then reported). */
export async function readStateFile(file: string, report: StateFileReport): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') report(`cannot read ${file}`, error);
    return null;
  }
}

/** Passes on only the first report: the proxy keeps serving without the file, one log line says why. */
export function reportOnce(onError: StateFileReport): StateFileReport {
  let reported = false;
  return (message, error) => {
    if (reported) return;
    reported = true;
    onError(message, error);
  };
}

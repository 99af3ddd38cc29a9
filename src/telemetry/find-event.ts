import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { isObject, type Json } from '../shared/json.js';
import { listEventFiles } from './event-files.js';

/** The metadata of the event with this request id, newest files first; null when none has it. */
export async function findEvent(dir: string, requestId: string): Promise<Json | null> {
  const { files } = await listEventFiles(dir);
  const needle = JSON.stringify(requestId);
  for (const file of files.reverse()) {
    const lines = createInterface({ input: createReadStream(file.path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      // Only a line that names the id is parsed.
      if (!line.includes(needle)) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (isObject(value) && isObject(value.metadata) && value.metadata.request_id === requestId) {
        lines.close();
        return value.metadata;
      }
    }
  }
  return null;
}

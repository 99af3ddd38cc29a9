import { isObject } from '../../shared/json.js';
import { readJson, type BackendHttp } from './http.js';
import { LocalFailure } from './types.js';

/** Statuses that mean "this server has no such endpoint": stop asking. */
const NO_ENDPOINT = new Set([404, 405, 501]);

/** A local server's token-count endpoint, asked until it answers that it has none. */
export class CountEndpoint {
  private available = true;

  constructor(
    private readonly http: BackendHttp,
    private readonly path: string,
  ) {}

  /** The server's `input_tokens` for `body`, or null where it has none to give. */
  async count(body: unknown, signal: AbortSignal): Promise<number | null> {
    if (!this.available) return null;
    try {
      const response = await this.http.post(this.path, body, signal);
      const parsed = await readJson(response.body, this.http.url);
      const count = isObject(parsed) ? parsed.input_tokens : undefined;
      return typeof count === 'number' && count > 0 ? count : null;
    } catch (error) {
      if (error instanceof LocalFailure && error.status !== null && NO_ENDPOINT.has(error.status)) this.available = false;
      throw error;
    }
  }
}

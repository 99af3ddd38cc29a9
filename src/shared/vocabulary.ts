/** Where a request is answered: by a local backend or by Anthropic. */
export type Route = 'local' | 'remote';

export const ROUTES: readonly Route[] = ['local', 'remote'];
export const isRoute = (v: unknown): v is Route => v === 'local' || v === 'remote';

/** The two endpoints the proxy routes. */
export type Endpoint = 'messages' | 'count_tokens';

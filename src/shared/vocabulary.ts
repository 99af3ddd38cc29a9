/** Where a request is answered: by a local backend or by Anthropic. */
export type Route = 'local' | 'remote';

/** The two endpoints the proxy routes. */
export type Endpoint = 'messages' | 'count_tokens';

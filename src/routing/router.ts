import type { Config } from '../config/schema.js';
import type { Decision, Router, RoutingInput } from './types.js';

/** The routing policy. */
export function createRouter(config: Config): Router {
  return {
    decide(input: RoutingInput): Decision {
      const kind = input.endpoint === 'count_tokens' ? 'count' : 'main';
      const local = config.local.enabled && config.local.aliases.includes(input.body.model);
      return {
        route: local ? 'local' : 'remote',
        reason: local ? 'local_alias' : 'default_remote',
        rule: null,
        kind,
        estimate: { query: 0, conversation: 0, request: 0 },
        details: {},
      };
    },
    observe: () => undefined,
  };
}

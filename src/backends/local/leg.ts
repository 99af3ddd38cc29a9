import type { Config } from '../../config/schema.js';
import { LocalFailure, type LocalLeg } from './types.js';

/** The local route: preparation, retrieval and the configured adapter. */
export function createLocalLeg(config: Config): LocalLeg {
  return {
    backend: `local:${config.local.kind}`,
    enabled: config.local.enabled,
    open: async () => {
      throw new LocalFailure('unsupported', 'local adapters are not available yet');
    },
    countTokens: async () => {
      throw new LocalFailure('unsupported', 'local adapters are not available yet');
    },
    healthy: () => false,
  };
}

import { readFile } from 'node:fs/promises';
import type { Config } from './schema.js';
import { ConfigError, type Env } from './load.js';
import { errorCode } from '../shared/errors.js';

export interface Secrets {
  /** Anthropic key used only when a client sends no credentials. */
  remoteApiKey: string | null;
  /** Token inbound clients must present, when configured. */
  inboundToken: string | null;
  /** The local backend's own key. */
  localApiKey: string | null;
}

async function readSecret(path: string, setting: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(setting, [{ path: setting, value: path, expected: `a readable file (${errorCode(error) ?? String(error)})` }]);
  }
  const value = text.trim();
  if (value === '') throw new ConfigError(setting, [{ path: setting, value: path, expected: 'a file that is not empty' }]);
  return value;
}

/** Reads key files at start (agenix/sops paths under $XDG_RUNTIME_DIR work); keys never enter the config. */
export async function loadSecrets(config: Config, env: Env): Promise<Secrets> {
  const remoteApiKey = config.remote.apiKeyFile ? await readSecret(config.remote.apiKeyFile, 'remote.apiKeyFile') : env.ANTHROPIC_API_KEY?.trim() || null;
  const inboundToken = config.auth.tokenFile ? await readSecret(config.auth.tokenFile, 'auth.tokenFile') : null;
  const localApiKey = config.local.apiKeyFile ? await readSecret(config.local.apiKeyFile, 'local.apiKeyFile') : null;
  return { remoteApiKey, inboundToken, localApiKey };
}

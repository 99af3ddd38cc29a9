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
  const flaw = keyFlaw(value);
  // Such a key starts fine and then fails every request as "remote API unreachable" (an invalid header).
  if (flaw !== null) throw new ConfigError(setting, [{ path: setting, value: path, expected: `a file holding one key of printable ASCII (${flaw})` }]);
  return value;
}

function envKey(value: string | undefined): string | null {
  if (!value) return null;
  const flaw = keyFlaw(value);
  if (flaw !== null) throw new ConfigError('ANTHROPIC_API_KEY', [{ path: 'ANTHROPIC_API_KEY', value: '(not shown)', expected: `one key of printable ASCII (${flaw})` }]);
  return value;
}

/** What makes a key unusable in an HTTP header, without quoting it; null when it is fine. */
function keyFlaw(value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 10 || code === 13) return `it has a line break at character ${i + 1}`;
    if (code < 0x21 || code > 0x7e) return `character ${i + 1} is ${code > 0x7e ? 'not ASCII' : 'a space or control character'}`;
  }
  return null;
}

/** Reads key files at start (agenix/sops paths under $XDG_RUNTIME_DIR work); keys never enter the config. */
export async function loadSecrets(config: Config, env: Env): Promise<Secrets> {
  const remoteApiKey = config.remote.apiKeyFile ? await readSecret(config.remote.apiKeyFile, 'remote.apiKeyFile') : envKey(env.ANTHROPIC_API_KEY?.trim());
  const inboundToken = config.auth.tokenFile ? await readSecret(config.auth.tokenFile, 'auth.tokenFile') : null;
  const localApiKey = config.local.apiKeyFile ? await readSecret(config.local.apiKeyFile, 'local.apiKeyFile') : null;
  return { remoteApiKey, inboundToken, localApiKey };
}

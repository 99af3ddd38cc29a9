import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/load.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { scratchDirs } from '../helpers/scratch.js';

const scratchDir = scratchDirs('cap-keys-');

async function secretsFrom(setting: 'remote.apiKeyFile' | 'local.apiKeyFile' | 'auth.tokenFile', content: string) {
  const dir = await scratchDir();
  const file = join(dir, 'key');
  await writeFile(file, content);
  const [section, key] = setting.split('.') as [string, string];
  const config = resolveConfig({ [section]: { [key]: file } }, { HOME: dir });
  return { file, result: loadSecrets(config, {}) };
}

describe('key files are checked at start', () => {
  it.each([
    ['an inner newline', 'sk-ant-api03-abc\ndef', 'line break'],
    ['a non-ASCII character', 'sk-ant-api03-ä', 'not ASCII'],
    ['an inner space', 'sk-ant api03', 'space'],
    ['a tab', 'sk-ant\tapi03', 'control'],
  ])('%s: a ConfigError naming the setting and the file, never the key', async (_name, content, reason) => {
    for (const setting of ['remote.apiKeyFile', 'local.apiKeyFile', 'auth.tokenFile'] as const) {
      const { file, result } = await secretsFrom(setting, content);
      const error = await result.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain(setting);
      expect(message).toContain(file);
      expect(message).toContain(reason);
      expect(message).not.toContain('api03');
    }
  });

  it('a key with a trailing newline (as editors write it) is fine', async () => {
    const { result } = await secretsFrom('remote.apiKeyFile', 'sk-ant-api03-abc\n');
    expect((await result).remoteApiKey).toBe('sk-ant-api03-abc');
  });

  it('ANTHROPIC_API_KEY with an inner newline: a ConfigError that does not show it', async () => {
    const config = resolveConfig({}, { HOME: await scratchDir() });
    const error = await loadSecrets(config, { ANTHROPIC_API_KEY: 'sk-ant-api03-abc\nxyz' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('ANTHROPIC_API_KEY');
    expect((error as ConfigError).message).not.toContain('api03');
  });
});

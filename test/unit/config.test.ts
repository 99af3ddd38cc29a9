import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from '../../src/config/load.js';
import { cli as runCommandLine } from '../helpers/cli.js';
import { scratchDirs } from '../helpers/scratch.js';

const scratchDir = scratchDirs('cap-cfg-');

const HOME = '/home/alice';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const cli = (argv: string[], env: Record<string, string> = { HOME }) => runCommandLine(argv, env);

describe('configuration defaults', () => {
  it('reproduce the seed with no file at all', () => {
    const config = resolveConfig(undefined, { HOME });
    expect(config.listen).toMatchObject({ host: '127.0.0.1', port: 8094, bodyLimitBytes: 32 * 1024 * 1024 });
    expect(config.routing).toMatchObject({ simpleQueryTokens: 100, complexQueryTokens: 3000, maxTokensRemote: 2000 });
    expect(config.local).toMatchObject({ kind: 'coordinator', url: 'http://localhost:8092' });
    expect(config.rag.url).toBe('http://localhost:8091');
    expect(config.remote.url).toBe('https://api.anthropic.com');
    expect(config.telemetry).toMatchObject({ dir: `${HOME}/.local/share/nixos-ai-stack/telemetry`, retentionDays: 90, enabled: true });
    expect(config.state.dir).toBe(`${HOME}/.local/state/claude-api-proxy`);
  });

  it('follow XDG directories and expand ~ in paths', () => {
    const config = resolveConfig({ remote: { apiKeyFile: '~/secrets/key' } }, { HOME, XDG_DATA_HOME: '/data', XDG_STATE_HOME: '/state' });
    expect(config.telemetry.dir).toBe('/data/nixos-ai-stack/telemetry');
    expect(config.state.dir).toBe('/state/claude-api-proxy');
    expect(config.remote.apiKeyFile).toBe(`${HOME}/secrets/key`);
  });

  it('take environment overrides with the seed names over the file', () => {
    const config = resolveConfig(
      { listen: { port: 9000 }, rag: { url: 'http://file:1' } },
      { HOME, PROXY_PORT: '9100', HYBRID_COORDINATOR_URL: 'http://coord:8092', AIDB_MCP_URL: 'http://aidb:8091', ANTHROPIC_API_KEY_FILE: '/run/key' },
    );
    expect(config.listen.port).toBe(9100);
    expect(config.local.url).toBe('http://coord:8092');
    expect(config.rag.url).toBe('http://aidb:8091');
    expect(config.remote.apiKeyFile).toBe('/run/key');
  });

  it('apply HYBRID_COORDINATOR_URL only to the coordinator backend', () => {
    const config = resolveConfig({ local: { kind: 'openai', url: 'http://127.0.0.1:8080' } }, { HOME, HYBRID_COORDINATOR_URL: 'http://coord:8092' });
    expect(config.local.url).toBe('http://127.0.0.1:8080');
  });

  it('let --port win over PROXY_PORT', () => {
    expect(resolveConfig({}, { HOME, PROXY_PORT: '9100' }, { port: '9200' }).listen.port).toBe(9200);
  });
});

describe('invalid configuration', () => {
  it.each([
    [{ listen: { port: 'abc' } }, 'listen.port: got "abc", expected a whole number'],
    [{ listen: { port: 70000 } }, 'listen.port: got 70000'],
    [{ lisen: {} }, 'lisen: got {}, expected no such setting'],
    [{ routing: { basis: 'words' } }, 'routing.basis: got "words", expected one of "query", "conversation", "request"'],
    [{ local: { url: 'localhost:8080' } }, 'local.url: got "localhost:8080"'],
    [{ routing: { rules: [{ match: { queryRegex: '(' }, route: 'local' }] } }, 'routing.rules[0].match.queryRegex'],
    [{ routing: { rules: [{ match: {}, route: 'elsewhere' }] } }, 'routing.rules[0].route'],
    [{ listen: { host: '0.0.0.0' } }, 'auth.tokenFile: got null, expected a token file'],
    [['a', 'list'], 'the file must hold a mapping'],
  ])('%j names the field, the value and what is expected', (document, message) => {
    const lines = problemsOf(() => resolveConfig(document, { HOME }));
    expect(lines.some((l) => l.includes(message)), lines.join('\n')).toBe(true);
  });

  it('from PROXY_PORT names the field', () => {
    const lines = problemsOf(() => resolveConfig({}, { HOME, PROXY_PORT: 'eighty' }));
    expect(lines[0]).toContain('listen.port: got "eighty"');
  });
});

describe('loading files', () => {
  it('a missing default file means defaults; a missing explicit file is an error', async () => {
    const home = await scratchDir();
    const { config, file } = await loadConfig({ env: { HOME: home } });
    expect(file).toBeNull();
    expect(config.listen.port).toBe(8094);
    await expect(loadConfig({ file: join(home, 'nope.yaml'), env: { HOME: home } })).rejects.toThrow(/cannot read the file \(ENOENT\)/);
  });

  it('reads the default path under XDG_CONFIG_HOME', async () => {
    const home = await scratchDir();
    const dir = join(home, 'cfg', 'claude-api-proxy');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    await writeFile(join(dir, 'config.yaml'), 'listen:\n  port: 9999\n');
    const { config, file } = await loadConfig({ env: { HOME: home, XDG_CONFIG_HOME: join(home, 'cfg') } });
    expect(file).toBe(join(dir, 'config.yaml'));
    expect(config.listen.port).toBe(9999);
  });
});

describe('claude-api-proxy check-config', () => {
  it('exits 0 for a valid file', async () => {
    const dir = await scratchDir();
    const file = join(dir, 'ok.yaml');
    await writeFile(file, 'routing:\n  simpleQueryTokens: 200\nlocal:\n  kind: openai\n  url: http://127.0.0.1:8080\n');
    const { code, out } = await cli(['check-config', file]);
    expect(code).toBe(0);
    expect(out).toContain('valid');
  });

  it.each([
    ['listen:\n  port: [1, 2]\n', 'listen.port: got [1,2], expected a whole number'],
    ['listen: {port: 1\n', 'valid YAML'],
  ])('exits 2 with the problem and no stack trace', async (text, message) => {
    const dir = await scratchDir();
    const file = join(dir, 'bad.yaml');
    await writeFile(file, text);
    const { code, err } = await cli(['check-config', file]);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli(['check-config'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['--no-such-flag'])).code).toBe(2);
  });

  it('prints the version', async () => {
    const { code, out } = await cli(['--version']);
    expect(code).toBe(0);
    expect(out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

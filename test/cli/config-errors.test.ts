import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDirs } from '../helpers/scratch.js';
import { cli } from '../helpers/cli.js';

const scratchDir = scratchDirs('cap-cfgerr-');

async function fileWith(text: string): Promise<{ file: string; home: string }> {
  const home = await scratchDir();
  const file = join(home, 'config.yaml');
  await writeFile(file, text);
  return { file, home };
}

describe('configuration errors', () => {
  it('come in one round, each with the file and line of its setting', async () => {
    const { file, home } = await fileWith('listen:\n  host: 0.0.0.0\n  port: abc\nlocal:\n  urll: http://127.0.0.1:8080\nrouting:\n  simpleQueryTokens: 5000\n  rules:\n    - match: { queryRegex: "(" }\n      route: local\n');
    const { code, err } = await cli(['check-config', file], { HOME: home });
    expect(code).toBe(2);
    expect(err).toContain(`${file}:3: listen.port: got "abc", expected a whole number`);
    expect(err).toContain(`${file}:5: local.urll: got "http://127.0.0.1:8080", expected no such setting; did you mean "url"?`);
    expect(err).toContain(`${file}:9: routing.rules[0].match.queryRegex: got "("`);
    expect(err).toContain(`${file}:7: routing.simpleQueryTokens: got 5000, expected at most routing.complexQueryTokens (3000)`);
    expect(err).toContain(`${file}: auth.tokenFile: got null, expected a token file, because listen.host "0.0.0.0"`);
  });

  it('name the flag or variable a bad value came from, not "defaults"', async () => {
    const home = await scratchDir();
    const flag = await cli(['config', '--port', 'abc'], { HOME: home });
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('--port: listen.port: got "abc", expected a whole number');
    const variable = await cli(['config'], { HOME: home, PROXY_PORT: '99999' });
    expect(variable.err).toContain('env PROXY_PORT: listen.port: got 99999, expected at most 65535');
  });

  it('say what a URL setting expects in words, not as a regular expression', async () => {
    const { file, home } = await fileWith('local:\n  url: localhost:8080\n');
    const { err } = await cli(['check-config', file], { HOME: home });
    expect(err).toContain(`${file}:2: local.url: got "localhost:8080", expected an http:// or https:// URL`);
    expect(err).not.toMatch(/\^|\\s|\$'/);
  });

  it('show a YAML syntax error with its line, column and a code frame', async () => {
    const { file, home } = await fileWith('listen:\n  port: 8094\n  hosts: [a, b\nlocal: {}\n');
    const { code, err } = await cli(['check-config', file], { HOME: home });
    expect(code).toBe(2);
    expect(err).toContain(`${file}:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]:`);
    expect(err).toContain('  hosts: [a, b\n');
    expect(err).toMatch(/\n\s*\^+/);
  });

  it('suggest the section a misspelled top-level key meant', async () => {
    const { file, home } = await fileWith('listen:\n  port: 9000\nlocall:\n  kind: openai\n');
    const { err } = await cli(['check-config', file], { HOME: home });
    expect(err).toContain(`${file}:3: locall: got {"kind":"openai"}, expected no such setting; did you mean "local"?`);
  });
});

describe('check-config checks what serve checks', () => {
  it('a key file that cannot be read fails, naming the setting; --skip-key-files (build sandboxes) skips it', async () => {
    const home = await scratchDir();
    const file = join(home, 'config.yaml');
    await writeFile(file, `remote:\n  apiKeyFile: ${join(home, 'missing-key')}\n`);
    const { code, err } = await cli(['check-config', file], { HOME: home });
    expect(code).toBe(2);
    expect(err).toContain(`remote.apiKeyFile: got "${join(home, 'missing-key')}", expected a readable file (ENOENT)`);
    const skipped = await cli(['check-config', '--skip-key-files', file], { HOME: home });
    expect(skipped.code).toBe(0);
    expect(skipped.out).toContain('valid');
  });
});

describe('config', () => {
  it('prints every setting with where its value came from', async () => {
    const { file, home } = await fileWith('local:\n  kind: anthropic\n  url: http://127.0.0.1:8080\n');
    const { code, out } = await cli(['config', '--config', file, '--host', '127.0.0.2'], { HOME: home, PROXY_PORT: '9100' });
    expect(code).toBe(0);
    const row = (path: string) => out.split('\n').find((l) => l.startsWith(`${path} `))?.replace(/\s+/g, ' ');
    expect(out.split('\n')[0]).toBe(`file: ${file}`);
    expect(row('listen.port')).toBe('listen.port 9100 env PROXY_PORT');
    expect(row('listen.host')).toBe('listen.host "127.0.0.2" --host');
    expect(row('local.kind')).toBe('local.kind "anthropic" file line 2');
    expect(row('local.url')).toBe('local.url "http://127.0.0.1:8080" file line 3');
    expect(row('local.contextWindow')).toBe('local.contextWindow 4096 default');
  });

  it('--json gives value and source per setting', async () => {
    const home = await scratchDir();
    const { out } = await cli(['config', '--json', '--port', '9200'], { HOME: home });
    const parsed = JSON.parse(out) as { file: string | null; settings: Record<string, { value: unknown; source: string }> };
    expect(parsed.file).toBeNull();
    expect(parsed.settings['listen.port']).toEqual({ value: 9200, source: '--port' });
    expect(parsed.settings['routing.rules']).toEqual({ value: [], source: 'default' });
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { scratchDirs } from '../helpers/scratch.js';

const scratchDir = scratchDirs('cap-urls-');

async function checkConfig(yaml: string): Promise<{ code: number | undefined; err: string }> {
  const dir = await scratchDir();
  const file = join(dir, 'config.yaml');
  await writeFile(file, yaml);
  const { code, err } = await cli(['check-config', file], { HOME: dir });
  return { code, err };
}

describe('URL settings are checked at load, naming the setting', () => {
  it.each([
    ['local', 'http://localhost:80800', 'parses'],
    ['rag', 'http://[::1:8091', 'parses'],
    ['remote', 'https://api.anthropic.com:99999', 'parses'],
  ])('%s.url %s: exit 2', async (section, url, expected) => {
    const { code, err } = await checkConfig(`${section}:\n  url: "${url}"\n`);
    expect(code).toBe(2);
    expect(err).toContain(`${section}.url`);
    expect(err).toContain(expected);
  });

  it.each([
    ['https://user:s3cr3t-pass@gateway.example/anthropic', 'user:password@'],
    ['https://gateway.example/anthropic?key=s3cr3t-pass', '?query'],
    ['https://gateway.example/anthropic#s3cr3t-pass', '#fragment'],
  ])('remote.url %s: exit 2, and the message shows origin and path only', async (url, expected) => {
    const { code, err } = await checkConfig(`remote:\n  url: "${url}"\n`);
    expect(code).toBe(2);
    expect(err).toContain('remote.url');
    expect(err).toContain(expected);
    expect(err).toContain('https://gateway.example/anthropic');
    expect(err).not.toContain('s3cr3t');
  });

  it('an unparseable URL with credentials is named without them', async () => {
    const { code, err } = await checkConfig('local:\n  url: "http://user:s3cr3t@localhost:80800/v1?key=s3cr3t"\n');
    expect(code).toBe(2);
    expect(err).toContain('local.url');
    expect(err).toContain('http://…@localhost:80800/v1');
    expect(err).not.toContain('s3cr3t');
  });

  it('plain base URLs with a path are valid', async () => {
    const { code } = await checkConfig('remote:\n  url: https://gateway.example/anthropic/\nlocal:\n  url: http://127.0.0.1:8080\nrag:\n  url: http://[::1]:8091\n');
    expect(code).toBe(0);
  });
});

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeAll } from '../../src/commands/completion.js';
import { manPage } from '../../src/commands/man-page.js';
import { COMMANDS } from '../../src/commands/registry.js';
import { scratchDirs } from '../helpers/scratch.js';
import { cli } from '../helpers/cli.js';

const scratchDir = scratchDirs('cap-compl-');

/** What bash's completion offers for a command line (the last word is the one being completed). */
async function bashCompletes(script: string, words: string[]): Promise<string[]> {
  const dir = await scratchDir();
  const file = join(dir, 'completion.bash');
  await writeFile(file, script);
  const array = words.map((w) => `'${w}'`).join(' ');
  const program = `source '${file}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _claude_api_proxy; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await promisify(execFile)('bash', ['-c', program], { cwd: dir });
  return stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('bash completes commands, options of a command and the values an option takes', async () => {
    const { code, out } = await cli(['completion', 'bash'], {});
    expect(code).toBe(0);
    expect(await bashCompletes(out, ['claude-api-proxy', 'st'])).toEqual(['status', 'statusline', 'stats']);
    expect(await bashCompletes(out, ['claude-api-proxy', 'doctor', '--'])).toEqual(['--config', '--deep', '--help']);
    expect(await bashCompletes(out, ['claude-api-proxy', 'stats', '--by', ''])).toEqual(['day', 'model', 'route', 'reason', 'session']);
    expect(await bashCompletes(out, ['claude-api-proxy', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(await bashCompletes(out, ['claude-api-proxy', 'help', 'in'])).toEqual(['init']);
  });

  it('zsh and fish scripts name every command', async () => {
    for (const shell of ['zsh', 'fish']) {
      const { code, out } = await cli(['completion', shell], {});
      expect(code).toBe(0);
      for (const name of ['serve', 'init', 'code', 'status', 'statusline', 'env', 'doctor', 'config', 'check-config', 'explain', 'stats']) expect(out).toContain(name);
    }
  });
});

describe('the man page', () => {
  it('is the one generated from the command table (run `npm run man` after changing a command)', async () => {
    const committed = await readFile(new URL('../../man/claude-api-proxy.1', import.meta.url), 'utf8');
    expect(committed).toBe(manPage(await describeAll(COMMANDS)));
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingPaths } from '../helpers/doc-paths.js';
import { scratchDirs } from '../helpers/scratch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = scratchDirs('cap-doc-paths-');

describe('the source and test paths the architecture and the test map name', () => {
  it('all exist', async () => {
    expect(await missingPaths(root, ['ARCHITECTURE.md', 'docs/development.md'])).toEqual([]);
  });
});

describe('the path check', () => {
  it('reports a file gone, and accepts paths under src/ or test/, test names, folders, globs and braces', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'src', 'routing'), { recursive: true });
    await mkdir(join(dir, 'test', 'unit'), { recursive: true });
    await mkdir(join(dir, 'test', 'helpers'), { recursive: true });
    await writeFile(join(dir, 'src', 'routing', 'decide.ts'), '');
    await writeFile(join(dir, 'test', 'unit', 'decide.test.ts'), '');
    await writeFile(join(dir, 'test', 'helpers', 'fake-a.ts'), '');
    await writeFile(join(dir, 'test', 'helpers', 'fake-b.ts'), '');
    await writeFile(
      join(dir, 'a.md'),
      [
        '`routing/decide.ts` is tested by `unit/decide`; `src/routing/` and `routing/*` exist, so do `helpers/fake-{a,b}.ts`.',
        'Gone: `routing/judge.ts`, `unit/judge` and `helpers/fake-{a,c}.ts`; not paths: and/or, https://example.org/x/y.ts, $HOME/x.ts, ~/y/z.md, /v1/messages.',
      ].join('\n'),
    );
    expect(await missingPaths(dir, ['a.md'])).toEqual(['a.md: routing/judge.ts', 'a.md: unit/judge', 'a.md: helpers/fake-{a,c}.ts']);
  });
});

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { brokenLinks, githubSlug, headingAnchors } from '../helpers/markdown-links.js';
import { scratchDirs } from '../helpers/scratch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = scratchDirs('cap-doc-links-');

describe('links between the documentation files', () => {
  it('all lead to an existing file and, with an #anchor, to an existing heading', async () => {
    const docs = (await readdir(join(root, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
    expect(docs.length).toBeGreaterThan(0);
    expect(await brokenLinks(root, ['README.md', 'ARCHITECTURE.md', ...docs])).toEqual([]);
  });
});

describe('the link check', () => {
  it('reports a missing file, a missing heading and an anchor into a file that is not markdown', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'docs'));
    await writeFile(join(dir, 'notes.txt'), 'plain\n');
    await writeFile(join(dir, 'docs', 'b.md'), '# B\n\n## The `stats` command\n');
    await writeFile(
      join(dir, 'a.md'),
      [
        '# A',
        '[fine](docs/b.md#the-stats-command) [fine too](#a) [outside](https://example.org/x.md) [plain](notes.txt)',
        '[gone](docs/missing.md) and [wrong heading](docs/b.md#stats) and [self](#nowhere) and [text](notes.txt#top)',
        '`[in code](docs/missing.md)`',
        '```',
        '[in a code block](docs/missing.md)',
        '```',
      ].join('\n'),
    );
    expect(await brokenLinks(dir, ['a.md'])).toEqual([
      'a.md: docs/missing.md: no such file',
      'a.md: docs/b.md#stats: no heading with that anchor',
      'a.md: #nowhere: no heading with that anchor',
      'a.md: notes.txt#top: an anchor into a file that is not markdown',
    ]);
  });

  it('makes anchors as GitHub does', () => {
    expect(githubSlug('`explain`: the decision for one request')).toBe('explain-the-decision-for-one-request');
    expect(githubSlug('Migration from setup-claude-proxy.sh')).toBe('migration-from-setup-claude-proxysh');
    expect(githubSlug('Telemetry, savings, stats and the dashboard')).toBe('telemetry-savings-stats-and-the-dashboard');
    expect(githubSlug("The old dashboard's files")).toBe('the-old-dashboards-files');
    expect(githubSlug('Sandbox (Linux)')).toBe('sandbox-linux');
    expect([...headingAnchors('# Tests\n## Tests\n```\n# not a heading\n```\n### Tests')]).toEqual(['tests', 'tests-1', 'tests-2']);
  });
});

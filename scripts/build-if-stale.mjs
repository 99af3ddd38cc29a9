// `npm start` builds only when a source is newer than the bundle (a full build takes about 16 s).
import { spawnSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const INPUTS = ['src', 'bench', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'rolldown.config.ts'];

async function newest(path) {
  const info = await stat(path).catch(() => null);
  if (info === null) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newest(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

const built = (await stat(join(root, 'dist', 'bundle', 'cli.js')).catch(() => null))?.mtimeMs ?? 0;
const sources = Math.max(...(await Promise.all(INPUTS.map((input) => newest(join(root, input))))));
if (sources > built) {
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

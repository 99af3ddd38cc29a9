// The program's configuration modules (src/config/*.ts), loaded without a build: the project's
// TypeScript transpiles src/ into a temporary directory (never into the repository) that borrows
// the repository's node_modules. Used by ./config-schema.mjs and scripts/nix-config-schema.mjs.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function loadConfigModules() {
  const ts = createRequire(join(repo, 'package.json'))('typescript');
  const work = mkdtempSync(join(tmpdir(), 'claude-api-proxy-config-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));
  writeFileSync(join(work, 'package.json'), '{"type":"module"}\n');
  // The whole src/ tree: the config modules import from their neighbours.
  const transpile = (from, to) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      if (entry.isDirectory()) transpile(join(from, entry.name), join(to, entry.name));
      else if (entry.name.endsWith('.ts')) {
        const { outputText } = ts.transpileModule(readFileSync(join(from, entry.name), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        });
        writeFileSync(join(to, entry.name.replace(/\.ts$/, '.js')), outputText);
      }
    }
  };
  transpile(join(repo, 'src'), join(work, 'src'));
  const schema = await import(pathToFileURL(join(work, 'src/config/schema.js')).href);
  const load = await import(pathToFileURL(join(work, 'src/config/load.js')).href);
  return { schema, load };
}

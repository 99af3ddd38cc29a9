// Writes nix/config-schema.json: the program's configuration schema (src/config/schema.ts, a JSON
// Schema made with TypeBox) as JSON, so that the Nix modules take their defaults, enumerations,
// bounds and descriptions from the one schema instead of repeating them (nix/common.nix).
//
//   node scripts/nix-config-schema.mjs           regenerate nix/config-schema.json
//   node scripts/nix-config-schema.mjs --check   exit 1 when the committed file is stale (CI)
//
// Needs `npm ci` (the project's TypeScript transpiles src/ into a temporary directory).

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigModules } from '../nix/tests/config-modules.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(repo, 'nix', 'config-schema.json');

const { schema } = await loadConfigModules();
const generated = `${JSON.stringify(schema.ConfigSchema, null, 2)}\n`;

if (process.argv[2] === '--check') {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== generated) {
    console.error('nix-config-schema: nix/config-schema.json is stale: run `node scripts/nix-config-schema.mjs` and commit it');
    process.exit(1);
  }
  console.log('nix-config-schema: nix/config-schema.json matches src/config/schema.ts');
} else {
  writeFileSync(target, generated);
  console.log('nix-config-schema: wrote nix/config-schema.json');
}

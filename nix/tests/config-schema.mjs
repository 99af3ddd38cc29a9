// The program's own configuration code (src/config/*.ts), loaded without a build, for the Nix tests:
//
//   node nix/tests/config-schema.mjs compare SETTINGS_JSON
//       SETTINGS_JSON (nix/tests/ci-eval.nix's `settings`) maps each typed sub-option of `settings`
//       ("listen.port") to its default, and each enumeration to its values. Fails unless every path
//       exists in the schema, every default equals the schema's (telemetry.dir and state.dir are
//       defaulted by the modules) and every enumeration has the schema's values.
//   node nix/tests/config-schema.mjs check-config FILE
//       Validates FILE like `claude-api-proxy check-config` (exit 0 ok, 2 invalid): the stand-in the
//       evaluation harness builds the module's YAML with.

import { readFileSync } from 'node:fs';
import { loadConfigModules } from './config-modules.mjs';

/** The schema node at a dotted path, or undefined. */
function schemaAt(schema, path) {
  let node = schema;
  for (const key of path.split('.')) {
    node = node?.properties?.[key];
    if (!node) return undefined;
  }
  return node;
}

const [command, arg] = process.argv.slice(2);
if (command === 'compare') {
  const { schema } = await loadConfigModules();
  const { defaults, enums } = JSON.parse(readFileSync(arg, 'utf8'));
  const modulePathDefaults = new Set(['telemetry.dir', 'state.dir']);
  const problems = [];
  for (const [path, value] of Object.entries(defaults)) {
    const node = schemaAt(schema.ConfigSchema, path);
    if (!node) problems.push(`${path}: declared in nix/common.nix but not in src/config/schema.ts`);
    else if (!modulePathDefaults.has(path) && JSON.stringify(node.default) !== JSON.stringify(value))
      problems.push(`${path}: Nix default ${JSON.stringify(value)}, schema default ${JSON.stringify(node.default)}`);
    else console.log(`  ${path} = ${JSON.stringify(value)}${modulePathDefaults.has(path) ? ' (module default)' : ' (= schema)'}`);
  }
  for (const [path, values] of Object.entries(enums)) {
    const literals = (schemaAt(schema.ConfigSchema, path)?.anyOf ?? []).map((s) => s.const);
    if (JSON.stringify([...literals].sort()) !== JSON.stringify([...values].sort()))
      problems.push(`${path}: Nix enum ${JSON.stringify(values)}, schema ${JSON.stringify(literals)}`);
    else console.log(`  ${path} one of ${values.join(' | ')} (= schema)`);
  }
  if (problems.length > 0) {
    console.error(problems.map((p) => `MISMATCH ${p}`).join('\n'));
    process.exit(1);
  }
} else if (command === 'check-config') {
  const { load } = await loadConfigModules();
  try {
    const { config } = await load.loadConfig({ file: arg, env: {} });
    console.log(`${arg}: valid (listen ${config.listen.host}:${config.listen.port}, local ${config.local.kind} ${config.local.url})`);
  } catch (error) {
    if (error instanceof load.ConfigError) {
      console.error(`invalid configuration:\n${error.message}`);
      process.exit(2);
    }
    throw error;
  }
} else {
  console.error('usage: config-schema.mjs compare NIX_OPTIONS_JSON | check-config FILE');
  process.exit(2);
}

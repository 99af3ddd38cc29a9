import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importSpecifiers, layerViolations, readImportGraph } from '../helpers/import-graph.js';
import { scratchDirs } from '../helpers/scratch.js';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const scratch = scratchDirs('cap-architecture-');

/**
 * The layers of `src/` (ARCHITECTURE.md, "Layers"): a module imports its own layer and lower ranks
 * only. Layers of one rank know nothing of each other.
 */
const RANKS: Readonly<Record<string, number>> = {
  shared: 0, // the vocabulary and small helpers every layer uses
  version: 0,
  anthropic: 1, // the protocol: types, validation, SSE, error envelope
  logger: 1, // pino with redaction (of the proxy's own header names)
  config: 2, // the one schema and its loading
  upstream: 3, // outbound HTTP: deadlines, typed failures, probes, breaker
  routing: 3, // the decision, without I/O on the request path
  telemetry: 3, // events, their files and stats; told what happened, never asks
  rag: 4, // retrieved context for the local route
  dashboard: 4, // the page; reads reason texts of routing
  backends: 5, // remote and local serving, over upstream, rag and the token estimate
  server: 6, // fastify, the routes, the Exchange that joins a request's story
  commands: 7, // the CLI's commands, built from everything below
  cli: 8,
};

describe('the imports of src/', () => {
  it('have no cycle', async () => {
    expect(importCycles(await readImportGraph(src))).toEqual([]);
  });

  it('flow one way between the layers', async () => {
    expect(layerViolations(await readImportGraph(src), RANKS)).toEqual([]);
  });
});

describe('the code of src/', () => {
  // Thrown values are read through shared/errors.ts (errorMessage, errorCode, errorName) only.
  it('casts no error object', async () => {
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const casts: string[] = [];
    for (const file of files) {
      const lines = (await readFile(join(src, file), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (/\bas (Error|NodeJS\.ErrnoException)\b/.test(line)) casts.push(`${file}:${i + 1}`);
      });
    }
    expect(casts).toEqual([]);
  });
});

describe('the import check', () => {
  it('reads static, re-exported, bare, dynamic and multi-line imports, and ignores packages', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      'import {',
      '  c,',
      '  type C,',
      "} from './c.js';",
      "export { d } from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
      "import pino from 'pino';",
      "const text = 'imported from ./g.js';",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['../b/b.js', './a.js', './c.js', './d.js', './e.js', './f.js']);
  });

  it('finds a cycle through three modules and one through a dynamic import, each once', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'x'));
    await writeFile(join(dir, 'x', 'a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
    await writeFile(join(dir, 'x', 'b.ts'), "import type { C } from '../c.js';\nexport const b = 1;\n");
    await writeFile(join(dir, 'c.ts'), "import { a } from './x/a.js';\nexport type C = typeof a;\n");
    await writeFile(join(dir, 'd.ts'), "export const d = () => import('./e.js');\n");
    await writeFile(join(dir, 'e.ts'), "import { d } from './d.js';\nexport const e = d;\n");
    await writeFile(join(dir, 'f.ts'), "import { e } from './e.js';\nexport const f = e;\n");
    expect(importCycles(await readImportGraph(dir))).toEqual([
      ['c.ts', 'x/a.ts', 'x/b.ts', 'c.ts'],
      ['d.ts', 'e.ts', 'd.ts'],
    ]);
  });

  it('reports an import upwards, between layers of one rank, and from a layer without a rank', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'low'));
    await mkdir(join(dir, 'high'));
    await mkdir(join(dir, 'side'));
    await mkdir(join(dir, 'new'));
    await writeFile(join(dir, 'low', 'a.ts'), "import { b } from '../high/b.js';\nimport { own } from './own.js';\nexport const a = b + own;\n");
    await writeFile(join(dir, 'low', 'own.ts'), 'export const own = 1;\n');
    await writeFile(join(dir, 'high', 'b.ts'), "import { s } from '../side/s.js';\nexport const b = s;\n");
    await writeFile(join(dir, 'side', 's.ts'), 'export const s = 1;\n');
    await writeFile(join(dir, 'new', 'n.ts'), "import { own } from '../low/own.js';\nexport const n = own;\n");
    expect(layerViolations(await readImportGraph(dir), { low: 0, high: 1, side: 1 })).toEqual([
      'high/b.ts imports side/s.ts: high (1) may not import side (1)',
      'low/a.ts imports high/b.ts: low (0) may not import high (1)',
      'new/n.ts: the layer new has no rank',
    ]);
  });
});

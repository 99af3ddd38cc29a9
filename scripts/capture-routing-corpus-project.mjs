// The small project Claude Code works in during a capture: our own files, so every tool output
// that ends up in the corpus is our text.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FILES = {
  'README.md': '# inventory-service\n\nA small HTTP service that keeps stock counts for a warehouse.\nRun it with `node src/server.js`.\n',
  'package.json': '{\n  "name": "inventory-service",\n  "version": "0.3.1",\n  "type": "module",\n  "scripts": { "start": "node src/server.js", "test": "node --test" }\n}\n',
  'notes.md': 'Open questions\n- stock counts drift after restarts\n- the auth token check is duplicated in two handlers\n',
  'src/server.js':
    "import { createServer } from 'node:http';\nimport { getStock, setStock } from './db.js';\nimport { checkToken } from './auth.js';\n\nexport const server = createServer(async (req, res) => {\n  if (!checkToken(req.headers.authorization)) {\n    res.writeHead(401);\n    return res.end();\n  }\n  const sku = new URL(req.url, 'http://x').searchParams.get('sku');\n  if (req.method === 'GET') return res.end(JSON.stringify({ sku, count: await getStock(sku) }));\n  await setStock(sku, Number(req.headers['x-count']));\n  res.end('ok');\n});\n\nserver.listen(3000);\n",
  'src/db.js': "const stock = new Map();\n\nexport async function getStock(sku) {\n  return stock.get(sku) ?? 0;\n}\n\nexport async function setStock(sku, count) {\n  stock.set(sku, count);\n}\n",
  'src/auth.js': "const TOKENS = new Set((process.env.TOKENS ?? '').split(','));\n\nexport function checkToken(header) {\n  return TOKENS.has((header ?? '').replace('Bearer ', ''));\n}\n",
  'src/util.js': 'export function chunk(items, size) {\n  const out = [];\n  for (let i = 0; i <= items.length; i += size) out.push(items.slice(i, i + size));\n  return out;\n}\n',
  'logs/app.log': 'server started on 3000\nGET /?sku=A1 200\nGET /?sku=B7 401\nPOST /?sku=A1 200\n',
};

/** Lays the project out afresh (a git repository with one commit) and returns its directory. */
export function layProject(dir) {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'corpus', GIT_AUTHOR_EMAIL: 'corpus@example.invalid', GIT_COMMITTER_NAME: 'corpus', GIT_COMMITTER_EMAIL: 'corpus@example.invalid' } });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'inventory service');
  writeFileSync(join(dir, 'notes.md'), `${FILES['notes.md']}- add a health endpoint\n`);
  return dir;
}

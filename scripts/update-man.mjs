// Rewrites man/claude-api-proxy.1 from the command table (run: npm run man).
import { mkdir, writeFile } from 'node:fs/promises';
import { describeAll } from '../dist/src/commands/completion.js';
import { manPage } from '../dist/src/commands/man-page.js';
import { COMMANDS } from '../dist/src/commands/registry.js';

const dir = new URL('../man/', import.meta.url);
await mkdir(dir, { recursive: true });
await writeFile(new URL('claude-api-proxy.1', dir), manPage(await describeAll(COMMANDS)));
console.log('man/claude-api-proxy.1 updated');

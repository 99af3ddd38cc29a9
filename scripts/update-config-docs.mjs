// Rewrites the settings table in docs/configuration.md from the config schema (run: npm run docs).
import { readFile, writeFile } from 'node:fs/promises';
import { configReference } from '../dist/src/config/reference.js';

const doc = new URL('../docs/configuration.md', import.meta.url);
const text = await readFile(doc, 'utf8');
const begin = '<!-- config-table:begin -->';
const end = '<!-- config-table:end -->';
const start = text.indexOf(begin);
const stop = text.indexOf(end);
if (start === -1 || stop === -1) throw new Error('docs/configuration.md has no config-table markers');
await writeFile(doc, `${text.slice(0, start + begin.length)}\n${configReference()}\n${text.slice(stop)}`);
console.log('docs/configuration.md settings table updated');

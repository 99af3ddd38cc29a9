import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../src/config/reference.js';
import { resolveConfig } from '../../src/config/load.js';

describe('the settings table in docs/configuration.md', () => {
  it('is the one generated from the schema (run `npm run docs` after changing the schema)', async () => {
    const doc = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- config-table:begin -->') + '<!-- config-table:begin -->'.length, doc.indexOf('<!-- config-table:end -->')).trim();
    expect(table).toBe(configReference());
  });

  it('lists every setting a resolved configuration has', () => {
    const config = resolveConfig({}, { HOME: '/home/alice' }) as unknown as Record<string, Record<string, unknown>>;
    const table = configReference();
    for (const [section, values] of Object.entries(config)) {
      for (const key of Object.keys(values)) expect(table, `${section}.${key}`).toContain(`\`${section}.${key}\``);
    }
  });
});

import { defineConfig } from 'vitest/config';

// `npm run test:llama`: the local route against a real llama-server (scripts/llama/ build it and
// its model). Files run one after another: each starts its own server, and the machine's cores
// are the server's. The real Claude Code CLI joins only when CLAUDE_CODE_BIN names it.
const claudeCode = 'test/llama/claude-code.test.ts';

export default defineConfig({
  test: {
    include: ['test/llama/**/*.test.ts'],
    exclude: process.env.CLAUDE_CODE_BIN ? [] : [claudeCode],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

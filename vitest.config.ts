import { defineConfig } from 'vitest/config';

// The real Claude Code CLI is a tool for trying, not a dependency: its end-to-end test runs only
// through `npm run test:claude-code` with CLAUDE_CODE_BIN set, never as a skipped test in `npm test`.
const claudeCodeE2e = 'test/e2e/claude-code-*.test.ts';

export default defineConfig({
  test: {
    include: process.env.CLAUDE_CODE_BIN ? [claudeCodeE2e] : ['test/**/*.test.ts'],
    // test/llama needs a real llama-server: `npm run test:llama` (vitest.llama.config.ts).
    exclude: process.env.CLAUDE_CODE_BIN ? [] : [claudeCodeE2e, 'test/llama/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});

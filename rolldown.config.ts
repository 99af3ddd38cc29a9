import { defineConfig } from 'rolldown';

// The program as users run it: tsc's output bundled into a few files (one per command, loaded when
// it runs), so that start-up reads a handful of files instead of about a thousand (measured in
// bench/RESULTS.md). pino stays a package: its transports (pino-pretty) run in worker threads that
// load their files by path.
export default defineConfig({
  input: { cli: 'dist/src/cli.js' },
  platform: 'node',
  external: [/^pino(-pretty)?(\/|$)/],
  logLevel: 'warn',
  output: { dir: 'dist/bundle', cleanDir: true, format: 'esm', chunkFileNames: '[name]-[hash].js' },
});

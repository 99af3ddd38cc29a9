#!/usr/bin/env node
import { runCli } from './commands/index.js';
import { errorCode } from './shared/errors.js';

// A reader that goes away (`init | head`) is not this program's failure: the rest of the output is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (errorCode(error) !== 'EPIPE') throw error;
  });
}

const code = await runCli(process.argv.slice(2), process.env, process);
if (code !== undefined) process.exitCode = code;

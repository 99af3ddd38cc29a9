#!/usr/bin/env node
import { runCli } from './commands/index.js';

const code = await runCli(process.argv.slice(2), process.env, process);
if (code !== undefined) process.exitCode = code;

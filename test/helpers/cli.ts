import { freePort } from './ports.js';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/commands/index.js';

export interface CliResult {
  code: number | undefined;
  out: string;
  err: string;
}

/** Runs one command line in this process, as the installed program would, and collects what it printed. */
export async function cli(argv: string[], env: Record<string, string | undefined>, stdin = ''): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(argv, env, { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]) });
  return { code, out, err };
}

/** A loopback URL where nothing listens (a port just freed): connections are refused at once. */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

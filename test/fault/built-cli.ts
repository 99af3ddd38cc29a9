import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'rolldown';
import bundleConfig from '../../rolldown.config.js';

const REPO = resolve(import.meta.dirname, '..', '..');

/**
 * Compiles and bundles the CLI into a private temporary directory (never the shared dist/), as
 * `npm run build` does, so the test runs the same JavaScript `npm start` would. Returns the
 * path of the bundled cli.js.
 */
export async function buildCli(): Promise<{ cli: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cap-cli-'));
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const compiled = join(dir, 'src', 'cli.js');
  // Type errors elsewhere in the tree do not stop emitting; only a missing cli.js is fatal here.
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', dir]).catch(() => undefined);
  await access(compiled);
  const bundle = join(dir, 'bundle');
  await build({ ...bundleConfig, input: { cli: compiled }, output: { ...bundleConfig.output, dir: bundle } });
  return { cli: join(bundle, 'cli.js'), dir };
}

export interface RunningCli {
  child: ChildProcess;
  url: string;
  /** Every stderr line (pino JSON) so far. */
  lines: string[];
  exited: Promise<number | null>;
  /** Resolves with the first line that contains `text`. */
  waitFor(text: string): Promise<string>;
}

const children = new Set<ChildProcess>();

/** Kills every proxy this module started that is still running (a failed test must not leave one behind). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Starts `cli serve --config FILE`, optionally through a shell prefix (e.g. a ulimit), and waits until it listens. */
export async function startCli(cli: string, config: string, env: Record<string, string>, shellPrefix?: string): Promise<RunningCli> {
  const args = [cli, 'serve', '--config', config];
  const child = shellPrefix
    ? spawn('sh', ['-c', `${shellPrefix}; exec "$0" "$@"`, process.execPath, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines: string[] = [];
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => line.includes(w.text))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((l) => l.includes(text));
      if (seen) return resolve(seen);
      waiters.push({ text, resolve });
      void exited.then((code) => reject(new Error(`the proxy exited (${code}) before logging "${text}":\n${lines.join('\n')}`)));
    });
  const listening = await waitFor('listening on');
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec((JSON.parse(listening) as { msg: string }).msg)?.[0];
  if (!url) throw new Error(`no address in ${listening}`);
  return { child, url, lines, exited, waitFor };
}

// A headless Chromium for browser tests, found without anything installed system-wide: the binary
// shipped in the npm package @sparticuz/chromium (Linux x86-64), unpacked into a directory of this
// run, or CHROMIUM_BIN, or a chromium on PATH elsewhere.

import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { errorMessage } from '../../src/shared/errors.js';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export interface TestBrowser {
  browser: Browser;
  /** Where the binary came from, for failure messages. */
  source: string;
  close(): Promise<void>;
}

interface Candidate {
  source: string;
  executable: string;
  env?: Record<string, string>;
}

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * The package unpacks into os.tmpdir() (by default one shared /tmp/chromium that concurrent runs
 * race on), so TMPDIR points at this run's directory while it unpacks. Its fonts.conf names /tmp
 * paths; ours names the unpacked fonts and keeps the system's configuration where there is one.
 */
async function unpackNpmChromium(dir: string): Promise<Candidate> {
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  let path: string;
  try {
    const { default: Chromium } = await import('@sparticuz/chromium');
    path = await Chromium.executablePath();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  const fontsConf = join(dir, 'fonts.conf');
  await writeFile(
    fontsConf,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
  return { source: '@sparticuz/chromium', executable: path, env: { FONTCONFIG_FILE: fontsConf } };
}

async function onPath(): Promise<Candidate[]> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const found: Candidate[] = [];
  for (const name of ON_PATH) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (await executable(path)) {
        found.push({ source: `${name} on PATH`, executable: path });
        break;
      }
    }
  }
  return found;
}

/** Starts the first browser that launches; says what was tried when none does. */
export async function launchTestBrowser(): Promise<TestBrowser> {
  const dir = await mkdtemp(join(tmpdir(), 'cap-chromium-'));
  const tried: string[] = [];
  const candidates: (() => Promise<Candidate[]>)[] = [
    async () => (process.env.CHROMIUM_BIN ? [{ source: 'CHROMIUM_BIN', executable: process.env.CHROMIUM_BIN }] : []),
    async () => (platform() === 'linux' && arch() === 'x64' ? [await unpackNpmChromium(dir)] : []),
    onPath,
  ];
  for (const list of candidates) {
    let found: Candidate[];
    try {
      found = await list();
    } catch (error) {
      tried.push(errorMessage(error));
      continue;
    }
    for (const candidate of found) {
      try {
        const browser = await chromium.launch({
          executablePath: candidate.executable,
          headless: true,
          args: ARGS,
          ...(candidate.env ? { env: { ...process.env, ...candidate.env } } : {}),
        });
        return {
          browser,
          source: candidate.source,
          async close() {
            await browser.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        tried.push(`${candidate.source} (${candidate.executable}): ${errorMessage(error).split('\n')[0] ?? ''}`);
      }
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(
    `no Chromium could be started for the browser tests. Tried: ${tried.length ? tried.join('; ') : 'nothing (not Linux x86-64, no CHROMIUM_BIN, no chromium on PATH)'}. Set CHROMIUM_BIN to a Chromium or Chrome binary.`,
  );
}

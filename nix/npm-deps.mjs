// The npm dependencies as Nix sees them: exactly the tarballs package-lock.json pins, in a
// directory named by their content, so that a fixed-output derivation can hold them.
//
// package-lock.json carries no `resolved` URLs (npm runs with omit-lockfile-registry-resolved),
// so nixpkgs' npm fetchers, which read those URLs, cannot be used. npm itself knows where its
// registry is: it fetches each `name@version` into a cache, and every tarball is checked against
// the lockfile's `integrity` before it is kept.
//
//   node npm-deps.mjs fetch LOCKFILE OUTDIR [--cache NPM_CACHE]
//       Writes OUTDIR/<algo>-<base64url digest>.tgz for every locked package (all platforms, dev
//       dependencies included: one directory, hence one hash, for every system). Tarballs already
//       in NPM_CACHE (npm's `cache` setting; its _cacache is content-addressed too) are reused,
//       the rest are fetched with `npm cache add` into NPM_CACHE.
//   node npm-deps.mjs lock LOCKFILE DEPSDIR
//       Rewrites LOCKFILE in place so that every package resolves to `file:DEPSDIR/<file>`, which
//       lets `npm ci --offline` install without any network or registry metadata.
//
// nix/package.nix runs `fetch` inside the fixed-output derivation and `lock` in the build;
// scripts/nix-deps-hash.sh runs `fetch` here and hashes OUTDIR with `nix hash path`.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function fail(message) {
  process.stderr.write(`npm-deps: ${message}\n`);
  process.exit(1);
}

/** Every package entry the lockfile pins (several entries may share one tarball). */
function lockedPackages(lock) {
  if (!lock.packages || lock.lockfileVersion < 2) fail('package-lock.json must be lockfileVersion 2 or 3');
  const packages = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link || entry.inBundle) continue; // the project itself, workspaces, bundled files
    if (!entry.integrity || !entry.version) fail(`${path} has no version/integrity (git and URL dependencies are not supported)`);
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    // The strongest hash when several are listed; npm writes sha512 for everything current.
    const hashes = entry.integrity.split(/\s+/).map((h) => h.match(/^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/]+=*)$/));
    const [, algo, digest] = hashes.find((h) => h?.[1] === 'sha512') ?? hashes.find(Boolean) ?? fail(`${path}: unreadable integrity ${entry.integrity}`);
    const file = `${algo}-${digest.replace(/\+/g, '-').replace(/\//g, '_')}.tgz`;
    packages.push({ path, entry, spec: `${name}@${entry.version}`, algo, digest, file });
  }
  return packages;
}

/** Where npm's content-addressed cache keeps a tarball with this digest. */
function cachePath(cache, { algo, digest }) {
  const hex = Buffer.from(digest, 'base64').toString('hex');
  return join(cache, '_cacache', 'content-v2', algo, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

function digestOf(file, algo) {
  return createHash(algo).update(readFileSync(file)).digest('base64');
}

function fetch(lockfile, outdir, cache) {
  const packages = [...new Map(lockedPackages(JSON.parse(readFileSync(lockfile, 'utf8'))).map((p) => [p.file, p])).values()];
  const missing = packages.filter((p) => !existsSync(cachePath(cache, p)));
  if (missing.length > 0) {
    process.stderr.write(`npm-deps: fetching ${missing.length} of ${packages.length} tarballs with npm\n`);
    // Chunks keep the command line short; npm fetches each chunk in parallel.
    for (let i = 0; i < missing.length; i += 50) {
      const specs = missing.slice(i, i + 50).map((p) => p.spec);
      execFileSync('npm', ['cache', 'add', '--cache', cache, '--no-audit', '--no-fund', ...specs], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }
  mkdirSync(outdir, { recursive: true });
  for (const p of packages) {
    const source = cachePath(cache, p);
    if (!existsSync(source)) fail(`${p.spec} (${p.path}) is not in the npm cache after fetching it`);
    if (digestOf(source, p.algo) !== p.digest) fail(`${p.spec}: the tarball does not match the lockfile's integrity`);
    const target = join(outdir, p.file);
    copyFileSync(source, target);
    chmodSync(target, 0o444); // a NAR records only the executable bit; keep it off everywhere
  }
  process.stderr.write(`npm-deps: ${packages.length} tarballs in ${outdir}\n`);
}

function rewriteLock(lockfile, depsdir) {
  const lock = JSON.parse(readFileSync(lockfile, 'utf8'));
  for (const p of lockedPackages(lock)) {
    if (!existsSync(join(depsdir, p.file))) fail(`${p.spec} is missing from ${depsdir}: the dependency hash is stale (run scripts/nix-deps-hash.sh)`);
    p.entry.resolved = `file:${join(depsdir, p.file)}`;
  }
  writeFileSync(lockfile, `${JSON.stringify(lock, null, 2)}\n`);
}

const [command, lockfile, dir, ...rest] = process.argv.slice(2);
if (!lockfile || !dir) fail('usage: npm-deps.mjs fetch LOCKFILE OUTDIR [--cache DIR] | lock LOCKFILE DEPSDIR');
if (command === 'fetch') {
  const cacheFlag = rest.indexOf('--cache');
  const ownCache = cacheFlag < 0 ? mkdtempSync(join(tmpdir(), 'npm-deps-cache-')) : null;
  try {
    fetch(resolve(lockfile), resolve(dir), ownCache ?? resolve(rest[cacheFlag + 1] ?? fail('--cache needs a directory')));
  } finally {
    if (ownCache) rmSync(ownCache, { recursive: true, force: true });
  }
} else if (command === 'lock') {
  rewriteLock(resolve(lockfile), resolve(dir));
} else {
  fail(`unknown command ${command}`);
}

// What the image installs: patches/ applied as npm ci applies them here, a build for Alpine (musl)
// of every platform-specific dependency, native code compiled with the Node.js the image runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerfileInstructions, dockerfileStages, isObject, type Obj, readJson, readText, ROOT } from './support.js';

test('the image applies patches/ to its dependencies, as npm ci does here', () => {
  const scripts = (JSON.parse(readText('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.equal(
    scripts.postinstall,
    'patch-package --error-on-fail',
    'package.json: "postinstall": "patch-package --error-on-fail", so npm ci applies patches/ and fails when one no longer applies',
  );
  const instructions = dockerfileInstructions();
  const copy = instructions.findIndex((i) => /^COPY\s+patches\/?\s/.test(i));
  const install = instructions.findIndex((i) => /^RUN\s+npm ci\b/.test(i));
  assert.ok(copy >= 0 && copy < install, 'Dockerfile: COPY patches/ before "RUN npm ci" (postinstall applies them)');
});

test('a patch that no longer applies fails the install (patch-package --error-on-fail), here and in the image build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wab-patch-'));
  try {
    mkdirSync(join(dir, 'node_modules', 'left-pad'), { recursive: true });
    mkdirSync(join(dir, 'patches'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'patch-check', version: '1.0.0', private: true }));
    writeFileSync(join(dir, 'node_modules', 'left-pad', 'package.json'), JSON.stringify({ name: 'left-pad', version: '1.3.0' }));
    writeFileSync(join(dir, 'node_modules', 'left-pad', 'index.js'), 'module.exports = 1;\n');
    // A patch written for other content, as after an upgrade of the patched package.
    writeFileSync(
      join(dir, 'patches', 'left-pad+1.3.0.patch'),
      'diff --git a/node_modules/left-pad/index.js b/node_modules/left-pad/index.js\n--- a/node_modules/left-pad/index.js\n+++ b/node_modules/left-pad/index.js\n@@ -1 +1 @@\n-module.exports = 2;\n+module.exports = 3;\n',
    );
    const bin = join(ROOT, 'node_modules', '.bin', 'patch-package');
    const run = spawnSync(bin, JSON.parse(readText('package.json')).scripts.postinstall.split(' ').slice(1), {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: '' },
    });
    assert.notEqual(run.status, 0, `patch-package exited ${run.status} for a patch that does not apply:\n${run.stdout}${run.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The entries of package-lock.json's "packages", keyed by their node_modules path. */
function lockedPackages(): Record<string, Obj> {
  const packages = readJson(join(ROOT, 'package-lock.json')).packages;
  assert.ok(isObject(packages), 'package-lock.json has no "packages" (lockfileVersion 2 or later)');
  return packages as Record<string, Obj>;
}

const listOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

test('every platform-specific dependency has a package for Alpine (musl) on aarch64 and amd64', () => {
  const packages = lockedPackages();
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    if (entry.os || entry.cpu) continue; // a platform package itself (its own libraries follow it)
    const optional = Object.keys(isObject(entry.optionalDependencies) ? entry.optionalDependencies : {});
    // A dependency's platform packages sit next to it or, when hoisted, in the top node_modules.
    const candidates = optional
      .map((name) => packages[`${path}/node_modules/${name}`] ?? packages[`node_modules/${name}`])
      .filter((candidate): candidate is Obj => isObject(candidate));
    if (!candidates.some((c) => listOf(c.os).includes('linux'))) continue; // not a family of platform builds
    for (const cpu of ['arm64', 'x64']) {
      const fits = candidates.some((c) => {
        const [os, cpus, libc] = [listOf(c.os), listOf(c.cpu), listOf(c.libc)];
        return (os.length === 0 || os.includes('linux')) && (cpus.length === 0 || cpus.includes(cpu)) && (libc.length === 0 || libc.includes('musl'));
      });
      if (!fits) missing.push(`${path.replace(/^.*node_modules\//, '')} (linux-${cpu}, musl)`);
    }
  }
  assert.deepEqual(missing, [], `package-lock.json: no build the image (Alpine, musl) can use for: ${missing.join(', ')}`);
});

test('dependencies with native code are built in the build stage, with the Node.js the image runs', () => {
  const packages = lockedPackages();
  const allowScripts = (JSON.parse(readText('package.json')) as { allowScripts?: Record<string, unknown> }).allowScripts ?? {};
  const runtime = Object.entries(packages).filter(([path, entry]) => path !== '' && entry.dev !== true);
  const name = (path: string): string => path.replace(/^.*node_modules\//, '');

  const notAllowed = runtime
    .filter(([, entry]) => entry.hasInstallScript === true)
    .map(([path]) => name(path))
    .filter((n) => allowScripts[n] !== true);
  assert.deepEqual(notAllowed, [], `package.json: add to "allowScripts" (npm 12 skips install scripts of others): ${notAllowed.join(', ')}`);

  const native = runtime.filter(([path]) => existsSync(join(ROOT, path, 'binding.gyp'))).map(([path]) => name(path));
  const [build, image] = [dockerfileStages().at(0) ?? [], dockerfileStages().at(-1) ?? []];
  const apk = (stage: string[]): string[] => stage.filter((line) => /^RUN\s+apk add\b/.test(line)).flatMap((line) => line.split(/\s+/));
  if (native.length > 0) {
    for (const tool of ['build-base', 'python3']) {
      assert.ok(apk(build).includes(tool), `Dockerfile: the build stage needs "${tool}" to compile ${native.join(', ')} when no prebuilt binary fits`);
    }
  }
  // Native modules are built for one Node.js ABI: both stages take nodejs from the same Alpine.
  const base = (stage: string[]): string | undefined => stage[0]?.split(/\s+/)[1];
  assert.equal(base(build), base(image), 'Dockerfile: the build stage and the image must start FROM the same base image');
  assert.ok(apk(build).includes('nodejs') && apk(image).includes('nodejs'), 'Dockerfile: install Alpine\'s "nodejs" in both stages');
});

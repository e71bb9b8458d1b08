// The Dockerfile and .dockerignore: the base image build.yaml names, the health check on the API
// port, and a build context that holds what the Dockerfile copies and nothing it should not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvironment } from '../../src/config/environment.js';
import { config, dockerfileInstructions, dockerfileStages, isObject, loadYamlObject, objectAt, type Obj, readText, repositoryFiles, ROOT } from './support.js';

/** The variables a stage's ENV instructions set (`ENV A=1 B="x"` and `ENV A 1`). */
function stageEnv(stage: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of stage) {
    const args = /^ENV\s+(.*)$/i.exec(line)?.[1];
    if (!args) continue;
    if (!/^\w+=/.test(args)) {
      const [name, ...value] = args.split(/\s+/);
      env[name!] = value.join(' ');
      continue;
    }
    for (const [, name, value] of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) env[name!] = value!.replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** Context paths that COPY/ADD instructions take from the build context (not `--from=`). */
function dockerfileContextSources(): string[] {
  const sources: string[] = [];
  for (const line of dockerfileInstructions()) {
    const match = /^(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!match) continue;
    let args = match[2]!.trim();
    if (/(^|\s)--from=/.test(args)) continue;
    args = args.replace(/--[a-z-]+=\S+\s+/gi, '');
    const parts: string[] = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
    sources.push(...parts.slice(0, -1));
  }
  return sources;
}

/**
 * Whether .dockerignore keeps `path` out of the build context. Follows Docker's rules for the
 * patterns used here: last matching line wins, `!` re-includes, a pattern matching a parent folder
 * matches everything under it, `*` and `?` stay within one path segment, `**` spans segments.
 */
function dockerignoreExcludes(patterns: string[], path: string): boolean {
  const toRegExp = (pattern: string): RegExp => {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*' && pattern[i + 1] === '*') {
        source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
        i += pattern[i + 2] === '/' ? 2 : 1;
      } else if (c === '*') source += '[^/]*';
      else if (c === '?') source += '[^/]';
      else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${source}$`);
  };
  const segments = path.split('/');
  const selfAndParents = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).trim().replace(/^\/+/, '').replace(/\/+$/, '');
    if (!pattern) continue;
    const re = toRegExp(pattern);
    if (selfAndParents.some((p) => re.test(p))) excluded = !negated;
  }
  return excluded;
}

function dockerignorePatterns(): string[] {
  return readText('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

test('Dockerfile starts with ARG BUILD_FROM', () => {
  const first = dockerfileInstructions()[0] ?? '';
  assert.match(first, /^ARG\s+BUILD_FROM(=|\s|$)/, `Dockerfile: the first instruction must be "ARG BUILD_FROM=...", found "${first}"`);
});

test("Dockerfile's default BUILD_FROM is the image build.yaml names", () => {
  const arg = /^ARG\s+BUILD_FROM=(\S+)/.exec(dockerfileInstructions()[0] ?? '');
  assert.ok(arg, 'Dockerfile: give BUILD_FROM a default so the image builds without build.yaml');
  const buildFrom = objectAt(loadYamlObject('build.yaml'), 'build_from', 'build.yaml');
  for (const [a, image] of Object.entries(buildFrom)) {
    assert.equal(image, arg[1], `build.yaml build_from.${a} differs from the Dockerfile's default BUILD_FROM`);
  }
});

test('Dockerfile has a HEALTHCHECK on the API port, as ENV API_PORT sets it and config.yaml declares it', () => {
  const image = dockerfileStages().at(-1) ?? [];
  const healthcheck = image.find((line) => /^HEALTHCHECK\s/i.test(line));
  assert.ok(healthcheck, 'Dockerfile: add a HEALTHCHECK to the image (the linter forbids "watchdog" in config.yaml)');
  const target = /127\.0\.0\.1:(?:(\d+)|\$\{?(\w+)\}?)\/api\/health\b/.exec(healthcheck);
  assert.ok(target, `Dockerfile: the HEALTHCHECK should GET http://127.0.0.1:\${API_PORT}/api/health, found: ${healthcheck}`);
  let port = target[1];
  const variable = target[2];
  if (variable) {
    assert.doesNotMatch(healthcheck, /\bCMD\s*\[/, `Dockerfile: the exec form of HEALTHCHECK CMD does not expand \${${variable}}; use the shell form`);
    port = stageEnv(image)[variable];
    assert.ok(port, `Dockerfile: the HEALTHCHECK uses \${${variable}}: set it in the image with ENV ${variable}=<port>`);
    assert.equal(variable, 'API_PORT', 'Dockerfile: the HEALTHCHECK must use the port the daemon reads, API_PORT');
  }
  assert.match(String(port), /^\d+$/, `Dockerfile: HEALTHCHECK port "${String(port)}" is not a number`);
  assert.equal(readEnvironment({ API_PORT: '18080' }).apiPort, 18080, 'the daemon no longer reads its API port from API_PORT');
  assert.equal(readEnvironment({}).apiPort, Number(port), "Dockerfile: ENV API_PORT should equal the daemon's default, so that both say the same");
  const ports = isObject(config().ports) ? Object.keys(config().ports as Obj) : [];
  assert.ok(ports.includes(`${String(port)}/tcp`), `Dockerfile: HEALTHCHECK uses port ${String(port)}, which config.yaml "ports" does not declare`);
});

test('Dockerfile COPYs only paths that exist in the build context', () => {
  const sources = dockerfileContextSources();
  assert.ok(sources.length > 0, 'Dockerfile: found no COPY from the build context');
  const missing = sources.filter((source) => !existsSync(join(ROOT, source)));
  assert.deepEqual(missing, [], `Dockerfile: COPY sources missing from the app folder: ${missing.join(', ')}`);
});

test('.dockerignore lets every Dockerfile COPY source through', () => {
  const patterns = dockerignorePatterns();
  const files = repositoryFiles();
  const blocked: string[] = [];
  for (const source of dockerfileContextSources()) {
    const path = source.replace(/^\.\//, '').replace(/\/+$/, '');
    const isDirectory = existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isDirectory();
    const checked = isDirectory ? files.filter((f) => f.startsWith(`${path}/`)) : [path];
    blocked.push(...checked.filter((f) => dockerignoreExcludes(patterns, f)));
  }
  assert.deepEqual(blocked, [], `.dockerignore keeps out files the Dockerfile COPYs: ${blocked.join(', ')}`);
});

test('.dockerignore keeps node_modules, dist, test, docs and .git out of the build context', () => {
  const patterns = dockerignorePatterns();
  const mustStayOut = [
    'node_modules/ajv/package.json',
    'dist/main.js',
    'test/packaging/dockerfile.test.ts',
    'test-output/report.txt',
    'docs/images/icon.svg',
    '.git/HEAD',
    'README.md',
  ];
  const leaked = mustStayOut.filter((path) => !dockerignoreExcludes(patterns, path));
  assert.deepEqual(leaked, [], `.dockerignore lets these into the build context: ${leaked.join(', ')}`);
});

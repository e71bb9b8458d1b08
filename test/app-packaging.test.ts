// Checks the Home Assistant app ("add-on") packaging: config.yaml, build.yaml, translations,
// Dockerfile, .dockerignore, run.sh, apparmor.txt, icon/logo. The rules come from the Supervisor
// and from the community's app linter (frenck/action-addon-linter); test/fixtures/ holds our copy
// of the linter's JSON Schemas so this runs on a fresh clone without anything else. shellcheck and
// apparmor_parser (Debian packages shellcheck, apparmor) check run.sh and apparmor.txt; without
// them those two tests skip, under CI they fail (test/support/system-command.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readEnvironment } from '../src/config/environment.js';
import { DATABASE_FILE } from '../src/state/database.js';
import { systemCommand } from './support/system-command.js';

// ajv-formats is CommonJS: its function is module.exports and also module.exports.default.
const addFormats = addFormatsModule.default;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
/** The linter's original schemas, present only on the development machines. */
const LINTER_SCHEMAS = resolve(ROOT, '..', 'shared', 'schemas');

const SUPPORTED_ARCHES = ['aarch64', 'amd64'];
const DEPRECATED_ARCHES = ['armhf', 'armv7', 'i386'];

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// helpers

function readText(file: string): string {
  const path = join(ROOT, file);
  assert.ok(existsSync(path), `${file} is missing from the app folder (${ROOT})`);
  return readFileSync(path, 'utf8');
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadYamlObject(file: string): Obj {
  const data = load(readText(file));
  assert.ok(isObject(data), `${file} must be a YAML mapping at the top level`);
  return data;
}

function objectAt(parent: Obj, key: string, file: string): Obj {
  const value = parent[key];
  assert.ok(isObject(value), `${file}: "${key}" must be a mapping, got ${JSON.stringify(value)}`);
  return value;
}

const config = (): Obj => loadYamlObject('config.yaml');
const optionSchema = (): Obj => objectAt(config(), 'schema', 'config.yaml');

function readJson(path: string): Obj {
  const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
  assert.ok(isObject(data), `${path} must hold a JSON object`);
  return data;
}

/**
 * Compiles a linter-style JSON Schema with ajv. The linter's schemas use Python's named groups
 * `(?P<name>...)`, which JavaScript writes `(?<name>...)`.
 */
function compileSchema(schemaText: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(schemaText.replaceAll('(?P<', '(?<')));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '(top level)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

function assertValid(file: string, data: unknown, schemaPath: string): void {
  const validate = compileSchema(readFileSync(schemaPath, 'utf8'));
  const ok = validate(data);
  assert.ok(ok, `${file} does not validate against ${relative(ROOT, schemaPath)}:\n${describeErrors(validate.errors)}`);
}

/** Files a clone of the repository would hold (tracked plus new, not ignored). */
function repositoryFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (git.status === 0) return git.stdout.split('\n').filter(Boolean);
  // Not a git checkout (e.g. an unpacked archive): walk the folder instead.
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return files;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function dockerfileInstructions(): string[] {
  return readText('Dockerfile')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The instructions of each build stage, from its FROM on (the last one is the image). */
function dockerfileStages(): string[][] {
  const stages: string[][] = [];
  for (const line of dockerfileInstructions()) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  return stages;
}

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

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const path = join(ROOT, file);
  assert.ok(existsSync(path), `${file} is missing: the app store shows it (see docs/images/README.md)`);
  const bytes = readFileSync(path);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.subarray(0, 8).equals(signature), `${file} is not a PNG file`);
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR', `${file}: first PNG chunk must be IHDR`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * The option types the Supervisor accepts in `schema` (its RE_SCHEMA_ELEMENT): bool, email, url,
 * port, device, str/password/int/float with an optional (min,max), match(REGEX), list(a|b|c),
 * each with an optional trailing `?`.
 */
const SUPERVISOR_OPTION_TYPE =
  /^(?:bool|email|url|port|device(?:\(subsystem=[a-z]+\))?|str(?:\(\d*,\d*\))?|password(?:\(\d*,\d*\))?|int(?:\(\d*,\d*\))?|float(?:\([\d.]*,[\d.]*\))?|match\(.*\)|list\(.+\))\??$/;

/** Every type string of a schema entry: a string, a `[type]` list, or a nested mapping. */
function optionTypes(value: unknown, path: string): Array<{ path: string; type: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => optionTypes(item, `${path}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => optionTypes(v, `${path}.${k}`));
  return [{ path, type: value }];
}

/**
 * Whether the Supervisor's backup_exclude `pattern` leaves out `path`: it tests the file's full
 * path with Python's PurePath.match, which matches a relative pattern against the path's last
 * segments, one fnmatch pattern per segment (`*`, `?`, `[...]`; nothing crosses a `/`).
 */
function backupExcludes(pattern: string, path: string): boolean {
  const fnmatch = (glob: string): RegExp => {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i]!;
      const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
      if (c === '*') source += '.*';
      else if (c === '?') source += '.';
      else if (close > 0) {
        const set = glob.slice(i + 1, close);
        source += set.startsWith('!') ? `[^${set.slice(1)}]` : `[${set}]`;
        i = close;
      } else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${source}$`);
  };
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  if (pattern.startsWith('/') ? patternParts.length !== pathParts.length : patternParts.length > pathParts.length) return false;
  const tail = pathParts.slice(pathParts.length - patternParts.length);
  return patternParts.every((part, i) => fnmatch(part).test(tail[i]!));
}

/** [major, minor, patch] of an x.y.z version string, for ordering releases. */
function versionParts(version: string): number[] {
  return version
    .split(/[.-]/)
    .slice(0, 3)
    .map((part) => Number.parseInt(part, 10) || 0);
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// config.yaml

test('config.yaml validates against the project copy of the linter schema', () => {
  assertValid('config.yaml', config(), join(FIXTURES, 'app-config.schema.json'));
});

test('config.yaml has the required keys name, version, slug, description, arch', () => {
  const cfg = config();
  for (const key of ['name', 'version', 'slug', 'description', 'arch']) {
    assert.ok(cfg[key] !== undefined && cfg[key] !== '', `config.yaml: "${key}" is required`);
  }
  assert.equal(typeof cfg.version, 'string', 'config.yaml: quote "version" so YAML keeps it a string');
  assert.ok(!String(cfg.description).includes('\n'), 'config.yaml: "description" must be one line');
});

test('config.yaml slug matches [-_.A-Za-z0-9]+', () => {
  const slug = config().slug;
  assert.match(String(slug), /^[-_.A-Za-z0-9]+$/, `config.yaml: slug "${String(slug)}" has characters the Supervisor rejects`);
});

test('config.yaml version equals package.json version (and CHANGELOG.md top release)', () => {
  const version = config().version;
  const pkg = readJson(join(ROOT, 'package.json'));
  assert.equal(version, pkg.version, 'config.yaml "version" must equal package.json "version": bump both together');
  if (existsSync(join(ROOT, 'CHANGELOG.md'))) {
    const headings = readText('CHANGELOG.md').match(/^#{1,3}\s+\[?v?\d+\.\d+\.\d+[^\]\s]*/gm) ?? [];
    assert.ok(headings.length > 0, 'CHANGELOG.md has no "## [x.y.z]" release heading');
    const top = /\d+\.\d+\.\d+[^\]\s]*/.exec(headings[0]!)![0];
    assert.equal(version, top, 'config.yaml "version" must equal the newest release in CHANGELOG.md');
  }
});

test('config.yaml sets no key to its default value (linter rule)', () => {
  const properties = objectAt(readJson(join(FIXTURES, 'app-config.schema.json')), 'properties', 'schema');
  const cfg = config();
  const redundant = Object.keys(cfg).filter((key) => {
    const property = properties[key];
    return isObject(property) && 'default' in property && JSON.stringify(property.default) === JSON.stringify(cfg[key]);
  });
  assert.deepEqual(redundant, [], `config.yaml: remove keys equal to their default: ${redundant.join(', ')}`);
});

test('config.yaml has no webui together with ingress (linter rule)', () => {
  const cfg = config();
  assert.ok(!(cfg.ingress === true && 'webui' in cfg), 'config.yaml: drop "webui", ingress replaces it');
});

test('config.yaml has no watchdog (linter rule: use a Docker HEALTHCHECK)', () => {
  assert.ok(!('watchdog' in config()), 'config.yaml: remove "watchdog"; the Dockerfile HEALTHCHECK does its job');
});

test('config.yaml has no codenotary (linter rule)', () => {
  assert.ok(!('codenotary' in config()), 'config.yaml: remove "codenotary"');
});

test('config.yaml keeps AppArmor on (the app ships its own profile)', () => {
  assert.notEqual(config().apparmor, false, 'config.yaml: do not set "apparmor: false"; fix apparmor.txt instead');
});

test('config.yaml backup_exclude leaves out only what SQLite rebuilds, never the state file or its log', () => {
  const patterns = config().backup_exclude ?? [];
  assert.ok(Array.isArray(patterns) && patterns.every((p) => typeof p === 'string'), 'config.yaml: "backup_exclude" must be a list of strings');
  // Where the Supervisor keeps the app's /data on the host; it matches the patterns against this.
  const inData = (file: string): string => `/mnt/data/supervisor/addons/data/local_${String(config().slug)}/${file}`;
  const excluded = (file: string): string[] => (patterns as string[]).filter((p) => backupExcludes(p, inData(file)));
  for (const kept of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-journal`, 'options.json']) {
    assert.deepEqual(excluded(kept), [], `config.yaml: backup_exclude would leave ${kept} out of backups (pairing, outbox, options)`);
  }
  assert.notDeepEqual(excluded(`${DATABASE_FILE}-shm`), [], `config.yaml: backup_exclude should leave out ${DATABASE_FILE}-shm ("*.db-shm")`);
});

test('config.yaml breaking_versions, if set, lists released versions up to this one', () => {
  const cfg = config();
  if (!('breaking_versions' in cfg)) return;
  const versions = cfg.breaking_versions;
  assert.ok(Array.isArray(versions) && versions.length > 0, 'config.yaml: "breaking_versions" is an empty list, which is the default: remove it');
  const released = (readText('CHANGELOG.md').match(/^#{1,3}\s+\[?v?\d+\.\d+\.\d+[^\]\s]*/gm) ?? []).map((h) => /\d+\.\d+\.\d+[^\]\s]*/.exec(h)![0]);
  for (const version of versions) {
    assert.equal(typeof version, 'string', `config.yaml: quote breaking version ${String(version)} so YAML keeps it a string`);
    assert.ok(compareVersions(String(version), String(cfg.version)) <= 0, `config.yaml: breaking version ${String(version)} is newer than "version"`);
    assert.ok(
      released.includes(String(version)),
      `config.yaml: breaking version ${String(version)} has no release in CHANGELOG.md (say there what the user must do)`,
    );
  }
});

test('config.yaml lists only supported architectures, none deprecated', () => {
  const arch = config().arch;
  assert.ok(Array.isArray(arch) && arch.length > 0, 'config.yaml: "arch" must be a non-empty list');
  const deprecated = arch.filter((a) => DEPRECATED_ARCHES.includes(String(a)));
  assert.deepEqual(deprecated, [], `config.yaml: deprecated architectures: ${deprecated.join(', ')}`);
  const unknown = arch.filter((a) => !SUPPORTED_ARCHES.includes(String(a)));
  assert.deepEqual(unknown, [], `config.yaml: unknown architectures: ${unknown.join(', ')}`);
});

test('config.yaml ingress_port 0 only with host_network (linter rule)', () => {
  const cfg = config();
  if (cfg.ingress_port === 0) {
    assert.equal(cfg.host_network, true, 'config.yaml: "ingress_port: 0" needs "host_network: true"');
  }
});

test('config.yaml init is false (the base image runs s6-overlay as its entrypoint)', () => {
  assert.equal(config().init, false, 'config.yaml: set "init: false", the HA base image starts s6-overlay itself');
});

test('config.yaml every option in options is declared in schema', () => {
  const cfg = config();
  const options = objectAt(cfg, 'options', 'config.yaml');
  const schema = optionSchema();
  const undeclared = Object.keys(options).filter((key) => !(key in schema));
  assert.deepEqual(undeclared, [], `config.yaml: options not in schema (the Supervisor drops them): ${undeclared.join(', ')}`);
});

test('config.yaml every required schema option has a default in options', () => {
  const cfg = config();
  const options = objectAt(cfg, 'options', 'config.yaml');
  const missing = Object.entries(optionSchema())
    .filter(([key, type]) => !(typeof type === 'string' && type.endsWith('?')) && !(key in options))
    .map(([key]) => key);
  assert.deepEqual(missing, [], `config.yaml: give these options a default or make them optional with "?": ${missing.join(', ')}`);
});

test('config.yaml every schema type is one the Supervisor knows', () => {
  const bad = Object.entries(optionSchema())
    .flatMap(([key, value]) => optionTypes(value, key))
    .filter(({ type }) => typeof type !== 'string' || !SUPERVISOR_OPTION_TYPE.test(type));
  assert.deepEqual(bad, [], 'config.yaml: unknown option types (use bool, email, url, port, str, password, int, float, match(...), list(a|b), optional "?")');
});

test('config.yaml default options fit their schema types', () => {
  const options = objectAt(config(), 'options', 'config.yaml');
  const schema = optionSchema();
  for (const [key, value] of Object.entries(options)) {
    const type = String(schema[key]).replace(/\?$/, '');
    if (type === 'bool') assert.equal(typeof value, 'boolean', `config.yaml: option "${key}" must be true or false`);
    const list = /^list\((.+)\)$/.exec(type);
    if (list) {
      const allowed = list[1]!.split('|');
      assert.ok(allowed.includes(String(value)), `config.yaml: option "${key}" = ${String(value)} is not one of ${allowed.join(', ')}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// translations

for (const lang of ['en', 'de']) {
  test(`translations/${lang}.yaml names and describes exactly the schema options and ports`, () => {
    const file = `translations/${lang}.yaml`;
    const translation = loadYamlObject(file);
    const cfg = config();

    const configuration = objectAt(translation, 'configuration', file);
    assert.deepEqual(
      Object.keys(configuration).sort(),
      Object.keys(optionSchema()).sort(),
      `${file}: "configuration" keys must equal config.yaml "schema" keys`,
    );
    for (const [key, entry] of Object.entries(configuration)) {
      assert.ok(isObject(entry), `${file}: configuration.${key} must be a mapping with name and description`);
      for (const field of ['name', 'description']) {
        const text = entry[field];
        assert.ok(typeof text === 'string' && text.trim() !== '', `${file}: configuration.${key}.${field} must be non-empty text`);
      }
    }

    const ports = isObject(cfg.ports) ? cfg.ports : {};
    const network = isObject(translation.network) ? translation.network : {};
    assert.deepEqual(Object.keys(network).sort(), Object.keys(ports).sort(), `${file}: "network" keys must equal config.yaml "ports" keys`);
    for (const [port, text] of Object.entries(network)) {
      assert.ok(typeof text === 'string' && text.trim() !== '', `${file}: network.${port} must be non-empty text`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// build.yaml, repository.yaml

test('build.yaml validates against the project copy of the linter schema', () => {
  assertValid('build.yaml', loadYamlObject('build.yaml'), join(FIXTURES, 'app-build.schema.json'));
});

test('build.yaml has no squash (linter rule)', () => {
  assert.ok(!('squash' in loadYamlObject('build.yaml')), 'build.yaml: remove "squash"');
});

test('build.yaml has a build_from image for every arch in config.yaml', () => {
  const buildFrom = objectAt(loadYamlObject('build.yaml'), 'build_from', 'build.yaml');
  const arch = config().arch as unknown[];
  const missing = arch.map(String).filter((a) => typeof buildFrom[a] !== 'string');
  assert.deepEqual(missing, [], `build.yaml: build_from lacks ${missing.join(', ')}`);
});

test('repository.yaml has name, url and maintainer', () => {
  const repository = loadYamlObject('repository.yaml');
  for (const key of ['name', 'url', 'maintainer']) {
    assert.ok(typeof repository[key] === 'string' && repository[key] !== '', `repository.yaml: "${key}" is missing`);
  }
});

// ---------------------------------------------------------------------------------------------
// Dockerfile, .dockerignore

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
    const bin = fileURLToPath(new URL('../node_modules/.bin/patch-package', import.meta.url));
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

test('.dockerignore keeps node_modules, dist, test, docs and .git out of the build context', () => {
  const patterns = dockerignorePatterns();
  const mustStayOut = [
    'node_modules/ajv/package.json',
    'dist/main.js',
    'test/app-packaging.test.ts',
    'test-output/report.txt',
    'docs/images/icon.svg',
    '.git/HEAD',
    'README.md',
  ];
  const leaked = mustStayOut.filter((path) => !dockerignoreExcludes(patterns, path));
  assert.deepEqual(leaked, [], `.dockerignore lets these into the build context: ${leaked.join(', ')}`);
});

// ---------------------------------------------------------------------------------------------
// repository layout, images

test('no file other than the root config.yaml is named config.yaml/config.yml/config.json', () => {
  const strays = repositoryFiles().filter((f) => /^config\.(ya?ml|json)$/.test(basename(f)) && f !== 'config.yaml');
  assert.deepEqual(strays, [], `the Supervisor would take each of these for another app: rename them: ${strays.join(', ')}`);
});

test('icon.png is a 128x128 PNG', () => {
  const { width, height } = pngSize('icon.png');
  assert.deepEqual({ width, height }, { width: 128, height: 128 }, 'icon.png must be 128x128 (regenerate: docs/images/README.md)');
});

test('logo.png is a PNG', () => {
  const { width, height } = pngSize('logo.png');
  assert.ok(width > 0 && height > 0, 'logo.png has no pixels');
});

// ---------------------------------------------------------------------------------------------
// run.sh

test('run.sh is executable', () => {
  readText('run.sh');
  assert.ok((statSync(join(ROOT, 'run.sh')).mode & 0o111) !== 0, 'run.sh must be executable: chmod +x run.sh');
  const staged = spawnSync('git', ['ls-files', '--stage', '--', 'run.sh'], { cwd: ROOT, encoding: 'utf8' });
  if (staged.status === 0 && staged.stdout.trim()) {
    assert.match(staged.stdout, /^100755 /, 'git records run.sh without the executable bit: git update-index --chmod=+x run.sh');
  }
});

test('run.sh starts with the bashio shebang and ends with exec node', () => {
  const lines = readText('run.sh').split('\n');
  assert.equal(lines[0], '#!/usr/bin/with-contenv bashio', 'run.sh: first line must be "#!/usr/bin/with-contenv bashio"');
  const commands = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.match(commands.at(-1) ?? '', /^exec node\s/, 'run.sh: the last command must be "exec node ..." so node gets the signals');
  const start = (JSON.parse(readText('package.json')) as { scripts: { start: string } }).scripts.start;
  assert.equal(commands.at(-1), `exec ${start}`, 'run.sh must exec exactly package.json\'s "start" command (the benchmark measures that one)');
});

const shellcheck = systemCommand('shellcheck', 'shellcheck');

test('run.sh and .ci/run pass shellcheck', { skip: shellcheck.skip }, () => {
  const result = spawnSync(shellcheck.path!, ['run.sh', '.ci/run'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, `shellcheck run.sh .ci/run reports:\n${result.stdout}${result.stderr}${result.error ?? ''}`);
});

// ---------------------------------------------------------------------------------------------
// apparmor.txt

interface AppArmorProfile {
  name: string;
  /** The profile's own rules, without those of the profiles nested in it. */
  rules: string[];
  children: string[];
}

/** The profiles in apparmor.txt (comments dropped), outermost first. */
function appArmorProfiles(): AppArmorProfile[] {
  const profiles: AppArmorProfile[] = [];
  const open: AppArmorProfile[] = [];
  for (const raw of readText('apparmor.txt').split('\n')) {
    const line = raw.replace(/(^|\s)#(?!include\b).*$/, '').trim();
    if (!line) continue;
    const start = /^profile\s+(\S+).*\{$/.exec(line);
    if (start) {
      const profile = { name: start[1]!, rules: [], children: [] };
      open.at(-1)?.children.push(profile.name);
      profiles.push(profile);
      open.push(profile);
    } else if (line === '}') open.pop();
    else open.at(-1)?.rules.push(line);
  }
  assert.equal(open.length, 0, 'apparmor.txt: unbalanced braces');
  return profiles;
}

const appArmorProfile = (name: string): AppArmorProfile => {
  const profile = appArmorProfiles().find((p) => p.name === name);
  assert.ok(profile, `apparmor.txt: no profile "${name}"`);
  return profile;
};

/** The Supervisor's own reading of the profile's name (supervisor/utils/apparmor.py). */
const SUPERVISOR_PROFILE_LINE = /^profile ([^ ]+).*$/gm;

test('apparmor.txt holds one top-level profile, named after the slug', () => {
  const names = [...readText('apparmor.txt').matchAll(SUPERVISOR_PROFILE_LINE)].map((m) => m[1]);
  assert.equal(names.length, 1, `apparmor.txt: the Supervisor accepts exactly one unindented "profile" line, found ${names.length}; indent nested profiles`);
  assert.equal(names[0], config().slug, 'apparmor.txt: name the profile after the slug in config.yaml');
});

test('apparmor.txt runs the daemon and the health check in their own profiles', () => {
  const [outer] = appArmorProfiles();
  const lastCommand =
    readText('run.sh')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .at(-1) ?? '';
  assert.match(lastCommand, /^exec node\s/, 'run.sh: expected to end with "exec node ..."');
  assert.match(
    dockerfileStages()
      .at(-1)
      ?.find((l) => /^HEALTHCHECK\s/.test(l)) ?? '',
    /\bCMD\s+curl\s/,
    'Dockerfile: expected the HEALTHCHECK to run curl',
  );
  for (const [program, child] of [
    ['/usr/bin/node', 'node'],
    ['/usr/bin/curl', 'curl'],
  ] as const) {
    assert.ok(
      outer!.rules.includes(`${program} cx -> ${child},`),
      `apparmor.txt: the top-level profile should run ${program} under "${child}" (cx -> ${child})`,
    );
    assert.ok(outer!.children.includes(child), `apparmor.txt: add the nested profile "${child}"`);
  }
  const starts = appArmorProfile('node').rules.filter((rule) => /\s[a-z]*[iupc]x\b[^,]*,$/.test(rule));
  assert.deepEqual(starts, [], 'apparmor.txt: the daemon starts no programs; do not let it execute any');
});

test("apparmor.txt lets every profile read musl's library path file", () => {
  // musl's dynamic loader takes EACCES on /etc/ld-musl-<arch>.path for an empty library path, so
  // without this rule no dynamically linked program (bash, node, curl) would start.
  const without = appArmorProfiles()
    .filter((p) => !p.rules.includes('/etc/ld-musl-*.path r,'))
    .map((p) => p.name);
  assert.deepEqual(without, [], `apparmor.txt: add "/etc/ld-musl-*.path r," to: ${without.join(', ')}`);
});

test("apparmor.txt gives the daemon its options, its state file with SQLite's companions, and nothing else in /data", () => {
  const rules = appArmorProfile('node').rules.filter((rule) => rule.startsWith('/data/'));
  assert.ok(rules.includes('/data/options.json r,'), 'apparmor.txt: the daemon must read /data/options.json');
  const state = rules.find((rule) => rule.startsWith(`/data/${DATABASE_FILE}{`));
  assert.ok(state, `apparmor.txt: no rule for the state file /data/${DATABASE_FILE} (src/state/database.ts names it)`);
  const [, suffixes, perms] = /^\S+\{([^}]*)\}\s+(\w+),$/.exec(state) ?? [];
  for (const suffix of ['', '-wal', '-shm']) {
    assert.ok((suffixes ?? '').split(',').includes(suffix), `apparmor.txt: the state file rule lacks "${suffix || '(the file itself)'}"`);
  }
  for (const perm of 'rwk') assert.ok((perms ?? '').includes(perm), `apparmor.txt: the state file needs "${perm}" (read, write, lock)`);
  const broad = rules.filter((rule) => /^\/data\/\*/.test(rule) && /\s\w*[wa]\w*,$/.test(rule));
  assert.deepEqual(broad, [], 'apparmor.txt: the daemon writes only its state file in /data');
});

test('apparmor.txt lets the daemon into every folder config.yaml maps, as mapped', () => {
  // Where the Supervisor mounts each map type unless the entry gives a "path".
  const defaults: Record<string, string> = { addon_config: '/config', app_config: '/config', homeassistant_config: '/homeassistant' };
  const entries = Array.isArray(config().map) ? (config().map as unknown[]) : [];
  const rules = appArmorProfile('node').rules;
  for (const entry of entries) {
    const [type, mode] = typeof entry === 'string' ? entry.split(':') : [String((entry as Obj).type), (entry as Obj).read_only === false ? 'rw' : 'ro'];
    const folder = (isObject(entry) && typeof entry.path === 'string' ? entry.path : (defaults[type!] ?? `/${type!}`)).replace(/\/+$/, '');
    const needed = mode === 'rw' ? ['r', 'w'] : ['r'];
    const granted = rules
      .filter((rule) => rule.startsWith(`${folder}/`))
      .map((rule) => /\s(\w+),$/.exec(rule)?.[1] ?? '')
      .join('');
    const lacking = needed.filter((perm) => !granted.includes(perm));
    assert.deepEqual(lacking, [], `apparmor.txt: config.yaml maps ${folder} (${mode ?? 'ro'}); give the node profile "${folder}/** ${needed.join('')},"`);
  }
});

const apparmorParser = systemCommand('apparmor_parser', 'apparmor');
/** The kernel feature set to compile for; without it apparmor_parser skips signal/network rules. */
const APPARMOR_FEATURES = '/etc/apparmor.d/abi/3.0';

test('apparmor.txt compiles with apparmor_parser, also renamed as the Supervisor loads it', { skip: apparmorParser.skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'apparmor-'));
  try {
    // The Supervisor renames the profile to the app's full slug (supervisor/utils/apparmor.py).
    const renamed = join(dir, 'apparmor.txt');
    writeFileSync(renamed, readText('apparmor.txt').replace(/^profile \S+/m, `profile local_${String(config().slug)}`));
    for (const file of [join(ROOT, 'apparmor.txt'), renamed]) {
      const features = existsSync(APPARMOR_FEATURES) ? ['--features-file', APPARMOR_FEATURES] : [];
      // Parse and compile only: no kernel, no cache (works without AppArmor and without root).
      const result = spawnSync(apparmorParser.path!, ['--skip-kernel-load', '--skip-cache', ...features, file], { encoding: 'utf8' });
      assert.equal(result.status, 0, `apparmor_parser ${relative(ROOT, file) || file} reports:\n${result.stdout}${result.stderr}${result.error ?? ''}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// drift from the linter's own schemas (development machines only)

const linterSchemasMissing = existsSync(LINTER_SCHEMAS) ? false : `${LINTER_SCHEMAS} not present`;

test('config.yaml validates against the linter original schema', { skip: linterSchemasMissing }, () => {
  assertValid('config.yaml', config(), join(LINTER_SCHEMAS, 'app-config.schema.json'));
});

test('build.yaml validates against the linter original schema', { skip: linterSchemasMissing }, () => {
  assertValid('build.yaml', loadYamlObject('build.yaml'), join(LINTER_SCHEMAS, 'app-build.schema.json'));
});

// Checks the Home Assistant app ("add-on") packaging: config.yaml, build.yaml, translations,
// Dockerfile, .dockerignore, run.sh, icon/logo. The rules come from the Supervisor and from the
// community's app linter (frenck/action-addon-linter); test/fixtures/ holds our copy of the
// linter's JSON Schemas so this runs on a fresh clone without anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

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
  return (errors ?? [])
    .map((e) => `  ${e.instancePath || '(top level)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
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
  assert.deepEqual(
    bad,
    [],
    'config.yaml: unknown option types (use bool, email, url, port, str, password, int, float, match(...), list(a|b), optional "?")',
  );
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

test('Dockerfile has a HEALTHCHECK on a port config.yaml declares', () => {
  const healthcheck = dockerfileInstructions().find((line) => /^HEALTHCHECK\s/i.test(line));
  assert.ok(healthcheck, 'Dockerfile: add a HEALTHCHECK (the linter forbids "watchdog" in config.yaml)');
  const port = /127\.0\.0\.1:(\d+)/.exec(healthcheck)?.[1];
  if (port) {
    const ports = isObject(config().ports) ? Object.keys(config().ports as Obj) : [];
    assert.ok(ports.includes(`${port}/tcp`), `Dockerfile: HEALTHCHECK uses port ${port}, which config.yaml "ports" does not declare`);
  }
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
  assert.equal(scripts.postinstall, 'patch-package', 'package.json: add "postinstall": "patch-package" so npm ci applies patches/');
  const instructions = dockerfileInstructions();
  const copy = instructions.findIndex((i) => /^COPY\s+patches\/?\s/.test(i));
  const install = instructions.findIndex((i) => /^RUN\s+npm ci\b/.test(i));
  assert.ok(copy >= 0 && copy < install, 'Dockerfile: COPY patches/ before "RUN npm ci" (postinstall applies them)');
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

test('run.sh passes shellcheck', (t) => {
  const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (version.error) {
    assert.ok(!process.env.CI, 'shellcheck is not installed; CI must install it (apt-get install shellcheck)');
    t.skip('shellcheck is not installed (apt-get install shellcheck); CI runs this check');
    return;
  }
  const result = spawnSync('shellcheck', ['run.sh'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, `shellcheck run.sh reports:\n${result.stdout}${result.stderr}`);
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

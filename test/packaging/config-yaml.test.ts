// config.yaml against the Supervisor's rules and the community app linter (frenck/action-addon-linter);
// test/fixtures/ holds our copy of the linter's JSON Schemas so this runs on a fresh clone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../src/state/database.js';
import { assertValid, config, FIXTURES, isObject, LINTER_SCHEMAS, linterSchemasMissing, objectAt, optionSchema, readJson, readText, ROOT } from './support.js';

const SUPPORTED_ARCHES = ['aarch64', 'amd64'];
const DEPRECATED_ARCHES = ['armhf', 'armv7', 'i386'];

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

test('config.yaml validates against the linter original schema', { skip: linterSchemasMissing }, () => {
  assertValid('config.yaml', config(), join(LINTER_SCHEMAS, 'app-config.schema.json'));
});

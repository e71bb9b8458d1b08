// Shared by the packaging tests (test/packaging/*.test.ts): the app folder, YAML/JSON readers that
// fail with a line saying what to fix, the linter's JSON Schemas through ajv, the files a clone
// holds and the Dockerfile's instructions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its function is module.exports and also module.exports.default.
const addFormats = addFormatsModule.default;

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
/** The linter's original schemas, present only on the development machines. */
export const LINTER_SCHEMAS = resolve(ROOT, '..', 'shared', 'schemas');
/** `skip` for the tests against the linter's original schemas (drift from our copy). */
export const linterSchemasMissing = existsSync(LINTER_SCHEMAS) ? false : `${LINTER_SCHEMAS} not present`;

export type Obj = Record<string, unknown>;

export function readText(file: string): string {
  const path = join(ROOT, file);
  assert.ok(existsSync(path), `${file} is missing from the app folder (${ROOT})`);
  return readFileSync(path, 'utf8');
}

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadYamlObject(file: string): Obj {
  const data = load(readText(file));
  assert.ok(isObject(data), `${file} must be a YAML mapping at the top level`);
  return data;
}

export function objectAt(parent: Obj, key: string, file: string): Obj {
  const value = parent[key];
  assert.ok(isObject(value), `${file}: "${key}" must be a mapping, got ${JSON.stringify(value)}`);
  return value;
}

export const config = (): Obj => loadYamlObject('config.yaml');
export const optionSchema = (): Obj => objectAt(config(), 'schema', 'config.yaml');

export function readJson(path: string): Obj {
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

export function assertValid(file: string, data: unknown, schemaPath: string): void {
  const validate = compileSchema(readFileSync(schemaPath, 'utf8'));
  const ok = validate(data);
  assert.ok(ok, `${file} does not validate against ${relative(ROOT, schemaPath)}:\n${describeErrors(validate.errors)}`);
}

/** Files a clone of the repository would hold (tracked plus new, not ignored). */
export function repositoryFiles(): string[] {
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
export function dockerfileInstructions(): string[] {
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
export function dockerfileStages(): string[][] {
  const stages: string[][] = [];
  for (const line of dockerfileInstructions()) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  return stages;
}

// config.yaml's own `options:` (what a new install starts with) must read as the code's
// defaults, with no problem: a default changed in one place and not the other fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { parseOptions } from '../src/config/options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const config = load(readFileSync(join(ROOT, 'config.yaml'), 'utf8')) as { options: Record<string, unknown>; schema: Record<string, unknown> };

test("config.yaml's options parse with no problem", () => {
  assert.deepEqual(parseOptions(config.options).problems, []);
});

test("config.yaml's options are the code's defaults", () => {
  assert.deepEqual(parseOptions(config.options).options, parseOptions({}).options);
});

test('every option in options: has a schema entry', () => {
  const missing = Object.keys(config.options).filter((key) => !(key in config.schema));
  assert.deepEqual(missing, []);
});

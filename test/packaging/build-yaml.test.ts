// build.yaml and repository.yaml, against our copy of the linter's schema and its rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertValid, config, FIXTURES, LINTER_SCHEMAS, linterSchemasMissing, loadYamlObject, objectAt } from './support.js';

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

test('build.yaml validates against the linter original schema', { skip: linterSchemasMissing }, () => {
  assertValid('build.yaml', loadYamlObject('build.yaml'), join(LINTER_SCHEMAS, 'app-build.schema.json'));
});

// Both translations name and describe every option and port config.yaml declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { config, isObject, loadYamlObject, objectAt, optionSchema } from './support.js';

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

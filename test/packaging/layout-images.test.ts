// The repository's layout as the Supervisor reads it, and the images the app store shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repositoryFiles, ROOT } from './support.js';

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

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { SCREENSHOTS, SCREENSHOT_VERSION_KEY } from '../scripts/support/docs-images.js';
import { readChunks, readTextChunks, withTextChunk } from '../scripts/support/png-text.js';

/**
 * The README's and DOCS.md's screenshots show the version being released: scripts/screenshots.ts
 * writes the version the page showed into each PNG, and this compares it with config.yaml's.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VERSION = (load(readFileSync(`${ROOT}config.yaml`, 'utf8')) as { version: string }).version;

test("every screenshot shows config.yaml's version", () => {
  for (const name of SCREENSHOTS) {
    const shown = readTextChunks(readFileSync(`${ROOT}docs/images/${name}.png`))[SCREENSHOT_VERSION_KEY];
    assert.equal(shown, VERSION, `docs/images/${name}.png shows ${shown ?? 'no version'}, config.yaml says ${VERSION}: run npm run screenshots`);
  }
});

test('every picture of the page the README and DOCS.md show is one the script makes', () => {
  const shown = new Set(
    ['README.md', 'DOCS.md'].flatMap((doc) => [...readFileSync(`${ROOT}${doc}`, 'utf8').matchAll(/docs\/images\/(page-[\w-]+)\.png/g)].map((m) => m[1]!)),
  );
  assert.ok(shown.size >= 4, `found ${[...shown]}`);
  for (const name of shown) assert.ok(SCREENSHOTS.includes(name), `${name}.png is shown but scripts/screenshots.ts does not make it`);
});

test('the version chunk keeps the PNG intact and reads back', () => {
  const png = readFileSync(`${ROOT}icon.png`);
  const marked = withTextChunk(png, SCREENSHOT_VERSION_KEY, '9.8.7');
  assert.equal(readTextChunks(marked)[SCREENSHOT_VERSION_KEY], '9.8.7');
  // Every chunk's CRC still matches (readChunks checks them), and the image data is untouched.
  const types = (buffer: Buffer) => readChunks(buffer).map((c) => c.type);
  assert.deepEqual(types(marked), [types(png)[0], 'tEXt', ...types(png).slice(1)]);
  assert.deepEqual(
    readChunks(marked).filter((c) => c.type === 'IDAT'),
    readChunks(png).filter((c) => c.type === 'IDAT'),
  );
  const damaged = Buffer.from(marked);
  damaged[40] ^= 0xff;
  assert.throws(() => readChunks(damaged), /wrong CRC/);
});

// The benchmarks and other scripts share harness code with the tests through simulator/harness/,
// never by importing from test/: a change to a test's helper must not change what `npm run bench`
// measures, and the tests may be left out of a checkout that runs the scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Module paths a source file names: static and dynamic imports, re-exports, `new URL(..., import.meta.url)`. */
const SPECIFIERS = [
  /\bfrom\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
  /\bimport\s+['"]([^'"]+)['"]/g,
  /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

/** "file: specifier" for every relative module path under `root`/scripts that leads into `root`/test. */
function importsFromTest(root: string): string[] {
  const testDir = join(root, 'test') + sep;
  return sourceFiles(join(root, 'scripts')).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = SPECIFIERS.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!)).filter((s) => s.startsWith('.'));
    return specifiers.filter((s) => resolve(dirname(file), s).startsWith(testDir)).map((s) => `${relative(root, file)}: ${s}`);
  });
}

test('no file under scripts/ imports from test/ (shared harness code lives in simulator/harness/)', () => {
  const offenders = importsFromTest(ROOT);
  assert.deepEqual(offenders, [], `move what these need to simulator/harness/ and import it from there:\n${offenders.join('\n')}`);
});

test('the check finds an import from test/, static or dynamic, in a nested script', () => {
  const root = mkdtempSync(join(tmpdir(), 'wab-scripts-imports-'));
  try {
    mkdirSync(join(root, 'scripts', 'bench'), { recursive: true });
    mkdirSync(join(root, 'test', 'support'), { recursive: true });
    writeFileSync(
      join(root, 'scripts', 'bench', 'stage.ts'),
      "import { a } from '../../simulator/harness/a.js';\nimport { b } from '../../test/support/b.js';\nconst c = await import('../../test/support/c.js');\n",
    );
    writeFileSync(join(root, 'scripts', 'fine.ts'), "import { d } from '../simulator/waits.js';\n");
    assert.deepEqual(importsFromTest(root), [
      `scripts${sep}bench${sep}stage.ts: ../../test/support/b.js`,
      `scripts${sep}bench${sep}stage.ts: ../../test/support/c.js`,
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

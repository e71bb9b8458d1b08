import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The page's JavaScript is type-checked against the types of what it fetches: a field renamed in
 * the status report (or in an action's answer) and not in the page fails `npm run typecheck`.
 * Shown on a copy of the source, renamed there, with the real compiler and tsconfig.page.json.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
let copy: string;

before(() => {
  copy = mkdtempSync(join(tmpdir(), 'wab-page-types-'));
  cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.page.json']) cpSync(join(ROOT, file), join(copy, file));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
});

after(() => rmSync(copy, { recursive: true, force: true }));

/** Runs the page's type-check in the copy: whether it passed, and what it printed. */
async function checkPage(): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [TSC, '-p', 'tsconfig.page.json'], { cwd: copy });
    return { ok: true, output: stdout };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

/**
 * Renames the one declaration of `field` (a line `  <field>: <type>;`) in the copy's src/ (in
 * `file` if given, else wherever the type lives now).
 */
function renameDeclaration(field: string, to: string, file?: string): void {
  const declaration = new RegExp(`^(\\s+)${field}(\\??: [^\\n]+;)$`, 'm');
  const candidates = file ? [file] : readdirSync(join(copy, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const files = candidates.filter((f) => declaration.test(readFileSync(join(copy, 'src', f), 'utf8')));
  assert.equal(files.length, 1, `'${field}' is declared in ${files.length} files of src/ (${files.join(', ')}): pick another field for this test`);
  const path = join(copy, 'src', files[0]!);
  writeFileSync(path, readFileSync(path, 'utf8').replace(declaration, `$1${to}$2`));
}

test('the page as it is passes the type-check', async () => {
  const { ok, output } = await checkPage();
  assert.ok(ok, output);
});

test('a status field renamed, and a field renamed in an action answer, fail it where the page reads them', async () => {
  renameDeclaration('qr_expires_at', 'qr_valid_until');
  renameDeclaration('token', 'api_token', 'web/page-api.ts');
  const { ok, output } = await checkPage();
  assert.equal(ok, false, 'the type-check passed although the page reads fields that no longer exist');
  assert.match(output, /src\/web\/public\/js\/cards\/connection\.js\(\d+,\d+\): error TS\d+: Property 'qr_expires_at' does not exist on type /);
  assert.match(output, /src\/web\/public\/js\/cards\/message-api\.js\(\d+,\d+\): error TS\d+: Property 'token' does not exist on type 'TokenAnswer'/);
});

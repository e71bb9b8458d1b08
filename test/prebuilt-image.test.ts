// The prebuilt images: config.yaml names the image Home Assistant pulls, and the builder workflow
// that publishes it is a valid GitHub Actions workflow (checked with @action-validator/cli, the
// schema-based validator from npm, since no Docker engine or GitHub runner is here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKFLOW = join(ROOT, '.github', 'workflows', 'builder.yaml');
const VALIDATOR = createRequire(import.meta.url).resolve('@action-validator/cli/cli.mjs');

type Obj = Record<string, unknown>;
const yaml = (file: string) => load(readFileSync(file, 'utf8')) as Obj;

function validate(file: string) {
  return spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8' });
}

test('config.yaml names a per-architecture image on the GitHub Container Registry', () => {
  const config = yaml(join(ROOT, 'config.yaml'));
  assert.match(String(config.image), /^ghcr\.io\/[a-z0-9-]+\/\{arch\}-[a-z0-9-]+$/, 'config.yaml: image must be "ghcr.io/<owner>/{arch}-<name>"');
  assert.ok(String(config.image).endsWith(`-${String(config.slug).replaceAll('_', '-')}`), 'config.yaml: the image name follows the slug');
});

test('the builder workflow is valid for GitHub Actions', () => {
  const result = validate(WORKFLOW);
  assert.equal(result.status, 0, `action-validator refused ${WORKFLOW}:\n${result.stdout}${result.stderr}`);
});

test('the validator refuses a broken workflow (so a pass above means something)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wab-workflow-'));
  try {
    const broken = join(dir, 'broken.yaml');
    const workflow = yaml(WORKFLOW);
    const jobs = workflow.jobs as Record<string, Obj>;
    delete jobs.build!['runs-on'];
    jobs.build!.steps = 'not a list';
    writeFileSync(broken, JSON.stringify(workflow));
    assert.notEqual(validate(broken).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the workflow builds every architecture config.yaml lists, from config.yaml, with the builder actions', () => {
  const text = readFileSync(WORKFLOW, 'utf8');
  const config = yaml(join(ROOT, 'config.yaml'));
  assert.deepEqual(config.arch, ['aarch64', 'amd64'], "Home Assistant's builder builds aarch64 and amd64 only");
  for (const action of ['helpers/info', 'prepare-multi-arch-matrix', 'build-image', 'publish-multi-arch-manifest'])
    assert.ok(text.includes(action), `builder.yaml: uses ${action}`);
  const jobs = yaml(WORKFLOW).jobs as Record<string, Obj>;
  const buildStep = (jobs.build!.steps as Obj[]).find((step) => String(step.uses).includes('build-image'))!;
  assert.equal((buildStep.with as Obj).context, '.', 'the app is the repository root');
  assert.equal((buildStep.with as Obj).push, "${{ github.event_name != 'pull_request' }}", 'pull requests build without publishing');
});

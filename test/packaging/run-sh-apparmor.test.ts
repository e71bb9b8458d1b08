// run.sh (the bashio entry point) and apparmor.txt (the app's own profile). shellcheck and
// apparmor_parser (Debian packages shellcheck, apparmor) check them; without them those two tests
// skip, under CI they fail (simulator/harness/system-command.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DATABASE_FILE } from '../../src/state/database.js';
import { systemCommand } from '../../simulator/harness/system-command.js';
import { config, dockerfileStages, isObject, type Obj, readText, ROOT } from './support.js';

test('run.sh is executable', () => {
  readText('run.sh');
  assert.ok((statSync(join(ROOT, 'run.sh')).mode & 0o111) !== 0, 'run.sh must be executable: chmod +x run.sh');
  const staged = spawnSync('git', ['ls-files', '--stage', '--', 'run.sh'], { cwd: ROOT, encoding: 'utf8' });
  if (staged.status === 0 && staged.stdout.trim()) {
    assert.match(staged.stdout, /^100755 /, 'git records run.sh without the executable bit: git update-index --chmod=+x run.sh');
  }
});

test('run.sh starts with the bashio shebang and ends with exec node', () => {
  const lines = readText('run.sh').split('\n');
  assert.equal(lines[0], '#!/usr/bin/with-contenv bashio', 'run.sh: first line must be "#!/usr/bin/with-contenv bashio"');
  const commands = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.match(commands.at(-1) ?? '', /^exec node\s/, 'run.sh: the last command must be "exec node ..." so node gets the signals');
  const start = (JSON.parse(readText('package.json')) as { scripts: { start: string } }).scripts.start;
  assert.equal(commands.at(-1), `exec ${start}`, 'run.sh must exec exactly package.json\'s "start" command (the benchmark measures that one)');
});

const shellcheck = systemCommand('shellcheck', 'shellcheck');

test('run.sh and .ci/run pass shellcheck', { skip: shellcheck.skip }, () => {
  const result = spawnSync(shellcheck.path!, ['run.sh', '.ci/run'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, `shellcheck run.sh .ci/run reports:\n${result.stdout}${result.stderr}${result.error ?? ''}`);
});

interface AppArmorProfile {
  name: string;
  /** The profile's own rules, without those of the profiles nested in it. */
  rules: string[];
  children: string[];
}

/** The profiles in apparmor.txt (comments dropped), outermost first. */
function appArmorProfiles(): AppArmorProfile[] {
  const profiles: AppArmorProfile[] = [];
  const open: AppArmorProfile[] = [];
  for (const raw of readText('apparmor.txt').split('\n')) {
    const line = raw.replace(/(^|\s)#(?!include\b).*$/, '').trim();
    if (!line) continue;
    const start = /^profile\s+(\S+).*\{$/.exec(line);
    if (start) {
      const profile = { name: start[1]!, rules: [], children: [] };
      open.at(-1)?.children.push(profile.name);
      profiles.push(profile);
      open.push(profile);
    } else if (line === '}') open.pop();
    else open.at(-1)?.rules.push(line);
  }
  assert.equal(open.length, 0, 'apparmor.txt: unbalanced braces');
  return profiles;
}

const appArmorProfile = (name: string): AppArmorProfile => {
  const profile = appArmorProfiles().find((p) => p.name === name);
  assert.ok(profile, `apparmor.txt: no profile "${name}"`);
  return profile;
};

/** The Supervisor's own reading of the profile's name (supervisor/utils/apparmor.py). */
const SUPERVISOR_PROFILE_LINE = /^profile ([^ ]+).*$/gm;

test('apparmor.txt holds one top-level profile, named after the slug', () => {
  const names = [...readText('apparmor.txt').matchAll(SUPERVISOR_PROFILE_LINE)].map((m) => m[1]);
  assert.equal(names.length, 1, `apparmor.txt: the Supervisor accepts exactly one unindented "profile" line, found ${names.length}; indent nested profiles`);
  assert.equal(names[0], config().slug, 'apparmor.txt: name the profile after the slug in config.yaml');
});

test('apparmor.txt runs the daemon and the health check in their own profiles', () => {
  const [outer] = appArmorProfiles();
  const lastCommand =
    readText('run.sh')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .at(-1) ?? '';
  assert.match(lastCommand, /^exec node\s/, 'run.sh: expected to end with "exec node ..."');
  assert.match(
    dockerfileStages()
      .at(-1)
      ?.find((l) => /^HEALTHCHECK\s/.test(l)) ?? '',
    /\bCMD\s+curl\s/,
    'Dockerfile: expected the HEALTHCHECK to run curl',
  );
  for (const [program, child] of [
    ['/usr/bin/node', 'node'],
    ['/usr/bin/curl', 'curl'],
  ] as const) {
    assert.ok(
      outer!.rules.includes(`${program} cx -> ${child},`),
      `apparmor.txt: the top-level profile should run ${program} under "${child}" (cx -> ${child})`,
    );
    assert.ok(outer!.children.includes(child), `apparmor.txt: add the nested profile "${child}"`);
  }
  const starts = appArmorProfile('node').rules.filter((rule) => /\s[a-z]*[iupc]x\b[^,]*,$/.test(rule));
  assert.deepEqual(starts, [], 'apparmor.txt: the daemon starts no programs; do not let it execute any');
});

test("apparmor.txt lets every profile read musl's library path file", () => {
  // musl's dynamic loader takes EACCES on /etc/ld-musl-<arch>.path for an empty library path, so
  // without this rule no dynamically linked program (bash, node, curl) would start.
  const without = appArmorProfiles()
    .filter((p) => !p.rules.includes('/etc/ld-musl-*.path r,'))
    .map((p) => p.name);
  assert.deepEqual(without, [], `apparmor.txt: add "/etc/ld-musl-*.path r," to: ${without.join(', ')}`);
});

test("apparmor.txt gives the daemon its options, its state file with SQLite's companions, and nothing else in /data", () => {
  const rules = appArmorProfile('node').rules.filter((rule) => rule.startsWith('/data/'));
  assert.ok(rules.includes('/data/options.json r,'), 'apparmor.txt: the daemon must read /data/options.json');
  const state = rules.find((rule) => rule.startsWith(`/data/${DATABASE_FILE}{`));
  assert.ok(state, `apparmor.txt: no rule for the state file /data/${DATABASE_FILE} (src/state/database.ts names it)`);
  const [, suffixes, perms] = /^\S+\{([^}]*)\}\s+(\w+),$/.exec(state) ?? [];
  for (const suffix of ['', '-wal', '-shm']) {
    assert.ok((suffixes ?? '').split(',').includes(suffix), `apparmor.txt: the state file rule lacks "${suffix || '(the file itself)'}"`);
  }
  for (const perm of 'rwk') assert.ok((perms ?? '').includes(perm), `apparmor.txt: the state file needs "${perm}" (read, write, lock)`);
  const broad = rules.filter((rule) => /^\/data\/\*/.test(rule) && /\s\w*[wa]\w*,$/.test(rule));
  assert.deepEqual(broad, [], 'apparmor.txt: the daemon writes only its state file in /data');
});

test('apparmor.txt lets the daemon into every folder config.yaml maps, as mapped', () => {
  // Where the Supervisor mounts each map type unless the entry gives a "path".
  const defaults: Record<string, string> = { addon_config: '/config', app_config: '/config', homeassistant_config: '/homeassistant' };
  const entries = Array.isArray(config().map) ? (config().map as unknown[]) : [];
  const rules = appArmorProfile('node').rules;
  for (const entry of entries) {
    const [type, mode] = typeof entry === 'string' ? entry.split(':') : [String((entry as Obj).type), (entry as Obj).read_only === false ? 'rw' : 'ro'];
    const folder = (isObject(entry) && typeof entry.path === 'string' ? entry.path : (defaults[type!] ?? `/${type!}`)).replace(/\/+$/, '');
    const needed = mode === 'rw' ? ['r', 'w'] : ['r'];
    const granted = rules
      .filter((rule) => rule.startsWith(`${folder}/`))
      .map((rule) => /\s(\w+),$/.exec(rule)?.[1] ?? '')
      .join('');
    const lacking = needed.filter((perm) => !granted.includes(perm));
    assert.deepEqual(lacking, [], `apparmor.txt: config.yaml maps ${folder} (${mode ?? 'ro'}); give the node profile "${folder}/** ${needed.join('')},"`);
  }
});

const apparmorParser = systemCommand('apparmor_parser', 'apparmor');
/** The kernel feature set to compile for; without it apparmor_parser skips signal/network rules. */
const APPARMOR_FEATURES = '/etc/apparmor.d/abi/3.0';

test('apparmor.txt compiles with apparmor_parser, also renamed as the Supervisor loads it', { skip: apparmorParser.skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'apparmor-'));
  try {
    // The Supervisor renames the profile to the app's full slug (supervisor/utils/apparmor.py).
    const renamed = join(dir, 'apparmor.txt');
    writeFileSync(renamed, readText('apparmor.txt').replace(/^profile \S+/m, `profile local_${String(config().slug)}`));
    for (const file of [join(ROOT, 'apparmor.txt'), renamed]) {
      const features = existsSync(APPARMOR_FEATURES) ? ['--features-file', APPARMOR_FEATURES] : [];
      // Parse and compile only: no kernel, no cache (works without AppArmor and without root).
      const result = spawnSync(apparmorParser.path!, ['--skip-kernel-load', '--skip-cache', ...features, file], { encoding: 'utf8' });
      assert.equal(result.status, 0, `apparmor_parser ${relative(ROOT, file) || file} reports:\n${result.stdout}${result.stderr}${result.error ?? ''}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

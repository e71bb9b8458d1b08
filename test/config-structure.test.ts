// How options are read, checked from the outside: the parsed options cannot be changed after
// parsing, and the modules under src/config/ import each other without a cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOptions, parseOptions } from '../src/config/options.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every option set, so each section's object (webhook URL, broker, notify targets, allow-list) is there. */
const EVERY_SECTION = {
  webhook_enabled: true,
  webhook_url: 'http://homeassistant:8123/api/webhook/abc',
  webhook_token: 'token',
  webhook_events: ['message', 'edit'],
  api_token: 'a-long-enough-token-1234',
  send_url_allow: ['camera.local', '192.168.1.0/24'],
  media_folder: '/media/x',
  mqtt_host: 'core-mosquitto',
  notify_targets: [{ name: 'Family', to: '+49 170 1234567' }],
  voice_to_text: 'stt.cloud',
  ha_event_enabled: true,
};

test('the parsed options and their problems are frozen all the way down: a change after parsing throws', () => {
  const { options, problems } = parseOptions({ ...EVERY_SECTION, log_level: 'loud' });
  assert.equal(problems.length, 1, 'the wrong log_level');
  const unfrozen: string[] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value !== 'object' || value === null) return;
    if (!Object.isFrozen(value)) unfrozen.push(path);
    for (const [key, inner] of Object.entries(value)) visit(inner, `${path}.${key}`);
  };
  visit(options, 'options');
  visit(problems, 'problems');
  assert.deepEqual(unfrozen, []);

  const mutable = options as unknown as Record<string, Record<string, unknown>>;
  assert.throws(() => (mutable.media!.folder = '/tmp'), TypeError);
  assert.throws(() => (mutable.voice!.entity = null), TypeError);
  assert.throws(() => ((options.mqtt.notifyTargets as unknown[]).length = 0), TypeError);
  assert.throws(() => (options.sendUrlAllow.hostnames as string[]).push('evil.example'), TypeError);
  assert.throws(() => (problems as unknown[]).push({ option: 'state_file', message: 'x' }), TypeError);
  assert.equal(options.media.folder, '/media/x');
  assert.equal(options.mqtt.notifyTargets.length, 1);
});

test('the defaults a broken options file falls back to are frozen too', () => {
  const { options, problems } = loadOptions(join(SRC, 'no-such-options.json'), { supervisorAvailable: false });
  assert.equal(problems.length, 1);
  assert.ok(Object.isFrozen(options) && Object.isFrozen(options.media) && Object.isFrozen(problems));
});

/** Every .ts file under src/, and the src/ files it imports by a relative path. */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) files.push(path);
    }
  };
  walk(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)\.js'/g)].map((m) => resolve(dirname(file), `${m[1]}.ts`));
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles that pass through a module in src/config/, each as its files in order. */
function cyclesThroughConfig(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const config = [...graph.keys()].filter((f) => relative(SRC, f).startsWith('config/'));
  for (const start of config) {
    // Depth-first from each config module, looking for a path back to it.
    const stack: Array<{ file: string; path: string[] }> = [{ file: start, path: [start] }];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const { file, path } = stack.pop()!;
      for (const next of graph.get(file) ?? []) {
        if (next === start) found.push([...path, next].map((f) => relative(SRC, f)).join(' -> '));
        else if (!seen.has(next)) {
          seen.add(next);
          stack.push({ file: next, path: [...path, next] });
        }
      }
    }
  }
  return found;
}

test('no import cycle passes through src/config/', () => {
  const graph = importGraph();
  assert.ok(graph.get(join(SRC, 'config', 'options.ts'))!.length >= 5, 'the graph sees the imports of options.ts');
  assert.deepEqual(cyclesThroughConfig(graph), []);
});

test('OptionProblem lives in a leaf, and the generic reader knows nothing of any section', () => {
  const graph = importGraph();
  assert.deepEqual(graph.get(join(SRC, 'config', 'option-problem.ts')), [], 'option-problem.ts imports nothing');
  assert.deepEqual(graph.get(join(SRC, 'config', 'option-reader.ts')), [join(SRC, 'config', 'option-problem.ts')]);
  const reader = readFileSync(join(SRC, 'config', 'option-reader.ts'), 'utf8');
  assert.doesNotMatch(reader, /webhook|mqtt|voice|api_token|media_/i);
});

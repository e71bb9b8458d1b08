import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * DOCS.md is all a user has inside Home Assistant: its contents list must name every section,
 * and every in-page link must land on a heading (GitHub's anchor rules).
 */
const docs = readFileSync(fileURLToPath(new URL('../DOCS.md', import.meta.url)), 'utf8');
const outsideCode = docs.replace(/```[\s\S]*?```/g, '');
const headings = [...outsideCode.matchAll(/^(#{2,4}) (.+)$/gm)].map((m) => ({ level: m[1]!.length, text: m[2]! }));

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(texts: string[]): string[] {
  const seen = new Map<string, number>();
  return texts.map((text) => {
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  });
}

const known = new Set(anchors(headings.map((h) => h.text)));
const contents = outsideCode.slice(outsideCode.indexOf('## Contents'), outsideCode.indexOf('\n## ', outsideCode.indexOf('## Contents') + 1));

test('DOCS.md opens with Start here, then the contents', () => {
  assert.deepEqual(
    headings.slice(0, 2).map((h) => h.text),
    ['Start here', 'Contents'],
  );
  const startHere = outsideCode.slice(outsideCode.indexOf('## Start here'), outsideCode.indexOf('## Contents'));
  assert.ok(docs.slice(docs.indexOf('## Start here'), docs.indexOf('## Contents')).includes('```yaml'), 'Start here has the first automation');
  for (const step of ['Install', 'Link', 'First automation']) assert.match(startHere, new RegExp(`\\*\\*${step}:\\*\\*`));
});

test('the contents list links to every top-level section', () => {
  const linked = new Set([...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]));
  const sections = headings.filter((h) => h.level === 2 && !['Start here', 'Contents'].includes(h.text));
  assert.ok(sections.length >= 7, `found ${sections.length} sections`);
  for (const anchor of anchors(sections.map((s) => s.text))) {
    assert.ok(linked.has(anchor), `## ${anchor} is not in the contents list: add [its title](#${anchor}) under "## Contents"`);
  }
});

test('every top-level section opens with a one-line summary', () => {
  for (const section of outsideCode.split(/^## /m).slice(1)) {
    const [title, , summary] = section.split('\n');
    if (title === 'Start here' || title === 'Contents') continue;
    assert.match(summary!, /^\*[^*].*\*$/, `## ${title} has no one-line summary (*in italics*) right below it`);
  }
});

test('every in-page link of DOCS.md lands on a heading', () => {
  const links = [...outsideCode.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length >= 20, `found ${links.length} links`);
  for (const link of links) assert.ok(known.has(link), `(#${link}) matches no heading of DOCS.md`);
});

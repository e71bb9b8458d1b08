import { folded } from './chat-list.js';
import type { DirectoryGroup } from './directory-store.js';

/** What a group name given as `{"group": "Family"}` found among the account's groups. */
export type GroupMatch = { kind: 'one'; jid: string } | { kind: 'none'; closest: string[] } | { kind: 'many'; jids: string[] };

const CLOSEST = 3;

/** The group whose subject is `name` (case and accents aside); else the nearest subjects, or every JID when several match. */
export function matchSubject(groups: readonly DirectoryGroup[], name: string): GroupMatch {
  const wanted = folded(name.trim());
  const exact = groups.filter((g) => folded(g.subject.trim()) === wanted);
  if (exact.length === 1) return { kind: 'one', jid: exact[0]!.jid };
  if (exact.length > 1) return { kind: 'many', jids: exact.map((g) => g.jid).sort() };
  const closest = groups
    .map((g) => ({ subject: g.subject, distance: editDistance(folded(g.subject), wanted) }))
    .sort((a, b) => a.distance - b.distance || a.subject.localeCompare(b.subject))
    .slice(0, CLOSEST)
    .map((g) => g.subject);
  return { kind: 'none', closest };
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

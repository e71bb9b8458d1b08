/** `poll` of a vote's payload: the poll voted on and what the vote chose. Null fields are what the bridge cannot know. */
export interface PollPayload {
  /** The poll's message id. */
  id: string;
  /** Null for a vote on a poll the bridge never saw (sent before it was paired, or pruned). */
  question: string | null;
  options: string[] | null;
  /** The options a vote chose, in the poll's order; [] = vote withdrawn; null = unreadable. */
  selected: string[] | null;
}

/** The payload's `content` for a vote. */
export function voteContent(poll: PollPayload): string {
  if (poll.selected === null) return 'Poll vote';
  if (poll.selected.length === 0) return '(vote withdrawn)';
  return poll.selected.join(', ');
}

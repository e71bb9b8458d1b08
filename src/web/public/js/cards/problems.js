// @ts-check
// The banner listing the options that need fixing, one line per problem.
import { $, show } from '../dom.js';

/** @typedef {import('../state.js').StatusReport} StatusReport */

/** @param {StatusReport} status */
export function renderProblems(status) {
  const problems = status.problems ?? [];
  show($('problems'), problems.length > 0);
  // The Configuration tab helps with options; a state-file problem says itself what to do.
  show(
    $('problems-options-hint'),
    problems.some((p) => p.option !== 'state_file'),
  );
  const list = $('problems-list');
  const key = JSON.stringify(problems);
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(
    ...problems.map((p) => {
      const li = document.createElement('li');
      li.dataset.option = p.option;
      li.textContent = p.message;
      return li;
    }),
  );
}

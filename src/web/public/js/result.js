// @ts-check
// The line under a card's buttons that says how an action went, until the card's state moves on.
import { $ } from './dom.js';
import { state } from './state.js';

/**
 * Shows how an action went, in `tone`.
 * @param {string} id the result line's id
 * @param {string} tone
 * @param {string} text
 */
export function showResult(id, tone, text) {
  const result = $(id);
  result.dataset.tone = tone;
  result.textContent = text;
  state.resultShownFor[id] = null;
}

/**
 * Clears the result once `context` (what the card showed under it) changed.
 * @param {string} id the result line's id
 * @param {string} context
 */
export function expireResult(id, context) {
  const result = $(id);
  const shownFor = state.resultShownFor[id] ?? null;
  if (!result.textContent) state.resultShownFor[id] = null;
  else if (shownFor === null) state.resultShownFor[id] = context;
  else if (shownFor !== context) {
    result.textContent = '';
    delete result.dataset.status;
    delete result.dataset.duration;
    state.resultShownFor[id] = null;
  }
}

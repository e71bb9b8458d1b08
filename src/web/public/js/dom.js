// @ts-check
// Small DOM helpers the cards share.

/**
 * The element with this id, as `kind` (HTMLElement unless told). A missing element or one of
 * another kind is a bug in index.html or a card, so it throws, naming the id.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {{ new (): T }} [kind]
 * @returns {T}
 */
export function $(id, kind) {
  const el = document.getElementById(id);
  const wanted = kind ?? HTMLElement;
  if (!(el instanceof wanted)) throw new Error(`The page has no ${wanted.name} #${id}.`);
  return /** @type {T} */ (el);
}

/**
 * @param {HTMLElement} el
 * @param {boolean} visible
 */
export function show(el, visible) {
  el.hidden = !visible;
}

/**
 * @param {string} id
 * @param {string} text
 */
export function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

/**
 * A help text: the `<template id="help-…">` elements to show, and the text of their `[data-slot]`s.
 * @typedef {{ templates: string[], slots?: Record<string, string> }} Help
 */

/**
 * Shows a help text: clones of the templates named in `help.templates`, their `[data-slot]`
 * elements filled from `help.slots` as text. `help` null hides `el`. The content is rebuilt only
 * when it changes, so a status every 250 ms does not reset a selection.
 * @param {HTMLElement} el
 * @param {Help | null} help
 * @param {string} tone
 */
export function showHelp(el, help, tone) {
  const key = help ? JSON.stringify(help) : '';
  if (el.dataset.key !== key) {
    el.dataset.key = key;
    el.replaceChildren(...(help?.templates ?? []).map((id) => fillTemplate(id, help?.slots)));
  }
  el.dataset.tone = tone;
  show(el, help !== null);
}

/**
 * @param {string} id
 * @param {Record<string, string>} [slots]
 * @returns {DocumentFragment}
 */
function fillTemplate(id, slots = {}) {
  const fragment = /** @type {DocumentFragment} */ ($(id, HTMLTemplateElement).content.cloneNode(true));
  for (const slot of fragment.querySelectorAll('[data-slot]')) slot.textContent = slots[/** @type {HTMLElement} */ (slot).dataset.slot ?? ''] ?? '';
  return fragment;
}

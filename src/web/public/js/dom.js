// Small DOM helpers the cards share.

export const $ = (id) => document.getElementById(id);

export function show(el, visible) {
  el.hidden = !visible;
}

export function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Shows a help text: clones of the `<template id="help-…">` elements named in `help.templates`,
 * their `[data-slot]` elements filled from `help.slots` as text. `help` null hides `el`. The
 * content is rebuilt only when it changes, so a status every 250 ms does not reset a selection.
 */
export function showHelp(el, help, tone) {
  const key = help ? JSON.stringify(help) : '';
  if (el.dataset.key !== key) {
    el.dataset.key = key;
    el.replaceChildren(...(help?.templates ?? []).map((id) => fillTemplate(id, help.slots)));
  }
  el.dataset.tone = tone;
  show(el, help !== null);
}

function fillTemplate(id, slots = {}) {
  const fragment = $(id).content.cloneNode(true);
  for (const slot of fragment.querySelectorAll('[data-slot]')) slot.textContent = slots[slot.dataset.slot] ?? '';
  return fragment;
}

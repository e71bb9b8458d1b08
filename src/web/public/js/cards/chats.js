// @ts-check
// The Chats card: the groups and people the app knows (GET api/chats), searchable; each row's
// JID can be copied or turned into the notify_targets entry to paste into the Configuration tab.
// Names are the contacts' own text: set with textContent only.
import { getJson } from '../api.js';
import { $, show } from '../dom.js';

/** @typedef {import('../../../page-api.js').ChatEntry} ChatEntry */

const PAGE = 50;
const SEARCH_DELAY_MS = 250;

/**
 * The notify_targets entry (YAML, as the Configuration tab's "Edit in YAML" takes it) that sends to `chat`.
 * @param {ChatEntry} chat
 * @returns {string}
 */
export function notifyLine(chat) {
  const slug =
    (chat.name ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || (chat.kind === 'group' ? 'group' : 'contact');
  // JSON strings are YAML strings: a JID or subject with ':' or '#' stays one value.
  return `- name: ${slug}\n  to: ${JSON.stringify(chat.jid)}`;
}

/**
 * Copies `text`; without a secure context (no clipboard API) it is shown selected instead.
 * @param {string} text
 * @param {string} what
 */
async function copy(text, what) {
  const result = $('chats-result');
  try {
    await navigator.clipboard.writeText(text);
    result.dataset.tone = 'ok';
    result.textContent = `${what} copied.`;
  } catch {
    showNotify(text);
    result.dataset.tone = 'info';
    result.textContent = 'Press Ctrl+C (⌘C) to copy the selected text.';
  }
}

/** @param {string} text */
function showNotify(text) {
  const field = $('chats-notify', HTMLTextAreaElement);
  field.value = text;
  show(field, true);
  field.focus();
  field.select();
}

/**
 * @param {ChatEntry} chat
 * @returns {HTMLLIElement}
 */
function row(chat) {
  const li = document.createElement('li');
  li.className = 'chat-row';
  li.dataset.jid = chat.jid;
  const name = document.createElement('strong');
  name.className = 'chat-name';
  name.textContent = chat.name ?? '(no name)';
  const about = document.createElement('span');
  about.className = 'muted';
  about.textContent =
    chat.kind === 'group'
      ? ` group · ${chat.members} members${chat.admin ? ' · you are an admin' : ''}`
      : ` contact${chat.lid && chat.lid !== chat.jid ? ` · ${chat.lid}` : ''}`;
  const jid = document.createElement('code');
  jid.className = 'mono chat-jid';
  jid.textContent = chat.jid;
  const copyButton = document.createElement('button');
  copyButton.type = 'button';
  copyButton.className = 'btn chat-copy';
  copyButton.textContent = 'Copy';
  copyButton.addEventListener('click', () => void copy(chat.jid, 'JID'));
  const notifyButton = document.createElement('button');
  notifyButton.type = 'button';
  notifyButton.className = 'btn chat-notify';
  notifyButton.textContent = 'Use as notify target';
  notifyButton.addEventListener('click', () => {
    showNotify(notifyLine(chat));
    const result = $('chats-result');
    result.dataset.tone = 'info';
    result.textContent = 'Add this under notify_targets (Configuration tab, ⋮ > Edit in YAML), then restart the app.';
  });
  const line = document.createElement('div');
  line.className = 'row chat-line';
  line.append(jid, copyButton, notifyButton);
  li.append(name, about, line);
  return li;
}

/** Lists the chats matching the search box. */
async function load() {
  const q = $('chats-search', HTMLInputElement).value.trim();
  const more = $('chats-more');
  try {
    const answer = await getJson('api/chats', `?limit=${PAGE}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    $('chats-list').replaceChildren(...answer.chats.map(row));
    more.textContent =
      answer.total === 0
        ? q
          ? 'No chat matches.'
          : 'No chats yet: groups appear once linked, people once they write.'
        : answer.total > answer.chats.length
          ? `Showing ${answer.chats.length} of ${answer.total}: search to narrow down.`
          : `${answer.total} chat${answer.total === 1 ? '' : 's'}.`;
  } catch (error) {
    more.textContent = `Could not load the chats: ${/** @type {Error} */ (error).message}`;
  }
}

export function wireChats() {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  $('chats-search', HTMLInputElement).addEventListener('input', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(load, SEARCH_DELAY_MS);
  });
  $('chats-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  $('chats-refresh').addEventListener('click', () => void load());
  void load();
}

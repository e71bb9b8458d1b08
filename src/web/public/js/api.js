// @ts-check
// Requests to the app. Every URL is relative: the page is served under Home Assistant's
// ingress prefix (/api/hassio_ingress/<token>/).

/** @typedef {import('../../page-api.js').PageGets} PageGets */
/** @typedef {import('../../page-api.js').PagePosts} PagePosts */
/** @typedef {import('../../page-api.js').PageError} PageError */

/**
 * The answer's JSON; a body that is not JSON (a proxy's error page) becomes its `error`.
 * @param {Response} res
 * @returns {Promise<unknown>}
 */
async function readJson(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.trim() || `HTTP ${res.status}` };
  }
}

/**
 * @template {keyof PageGets} P
 * @param {P} path
 * @param {string} [query] e.g. `?limit=20`
 * @returns {Promise<PageGets[P]>}
 */
export async function getJson(path, query = '') {
  const res = await fetch(`${path}${query}`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`The app answered HTTP ${res.status}.`);
  return res.json();
}

/**
 * Every POST is JSON (the app refuses anything else with 415).
 * @template {keyof PagePosts} P
 * @param {P} path
 * @param {PagePosts[P]['body']} [body]
 * @returns {Promise<PagePosts[P]['answer']>}
 */
export async function post(path, body = {}) {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await readJson(res);
  if (!res.ok) throw new Error(/** @type {Partial<PageError> | null} */ (data)?.error || `The app answered HTTP ${res.status}.`);
  return /** @type {PagePosts[P]['answer']} */ (data);
}

export const openEventStream = () => new EventSource('api/events');

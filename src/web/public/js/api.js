// Requests to the app. Every URL is relative: the page is served under Home Assistant's
// ingress prefix (/api/hassio_ingress/<token>/).

async function readJson(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.trim() || `HTTP ${res.status}` };
  }
}

export async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`The app answered HTTP ${res.status}.`);
  return res.json();
}

/** Every POST is JSON (the app refuses anything else with 415). */
export async function post(path, body = {}) {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await readJson(res);
  if (!res.ok) throw new Error(data.error || `The app answered HTTP ${res.status}.`);
  return data;
}

export const openEventStream = () => new EventSource('api/events');

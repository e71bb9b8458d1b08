// @ts-check
// The snippet the user runs on https://web.whatsapp.com (the only origin WhatsApp's passkeys answer
// on). It is text to copy, never run by this page: it carries WhatsApp's request, asks the
// browser for the passkey, and shows the result to paste back here.

const ORIGIN = 'https://web.whatsapp.com';

/**
 * The snippet's source, with WhatsApp's request options (JSON) built in.
 * @param {Record<string, unknown>} options
 */
export function passkeySnippet(options) {
  return `(async () => {
  const options = ${JSON.stringify(options)};
  if (location.origin !== '${ORIGIN}') return alert('Run this on ${ORIGIN}, not on ' + location.origin + '.');
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const publicKey = { ...options, challenge: bytes(options.challenge), allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })) };
  try {
    const credential = await navigator.credentials.get({ publicKey });
    const r = credential.response;
    const result = JSON.stringify(credential.toJSON ? credential.toJSON() : {
      id: credential.id, rawId: text(credential.rawId), type: credential.type,
      response: { clientDataJSON: text(r.clientDataJSON), authenticatorData: text(r.authenticatorData), signature: text(r.signature), userHandle: r.userHandle ? text(r.userHandle) : null },
    });
    console.log(result);
    prompt('Copy this result (Ctrl+C / Cmd+C) and paste it on the WhatsApp Bridge page:', result);
  } catch (error) {
    alert('The passkey was not used: ' + error.message);
  }
})();`;
}

/**
 * The same as a bookmarklet (a javascript: link to drag to the bookmarks bar).
 * @param {Record<string, unknown>} options
 */
export const passkeyBookmarklet = (options) => `javascript:${encodeURIComponent(passkeySnippet(options))}`;

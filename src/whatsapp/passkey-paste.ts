/** The only origin WhatsApp's passkeys answer on (WebAuthn binds rpId whatsapp.com to it). */
export const WHATSAPP_WEB_ORIGIN = 'https://web.whatsapp.com';

/** The assertion as WhatsApp gets it: PublicKeyCredential.toJSON(), every binary field unpadded base64url. */
export interface PasskeyAssertion {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string | null };
}

/** A paste the bridge refuses before asking WhatsApp; the message says what to fix, in one line. */
export class PasteError extends Error {}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
/** rpIdHash (32) + flags (1) + sign count (4). */
const MIN_AUTHENTICATOR_DATA = 37;

/**
 * Checks what the user pasted (the JSON object, or its text) against the request it answers and
 * returns it normalised, with the credential id's bytes. Throws a PasteError for each mistake.
 */
export function readPastedAssertion(pasted: unknown, challenge: string): { assertion: PasskeyAssertion; rawId: Buffer } {
  const value = typeof pasted === 'string' ? parseText(pasted) : pasted;
  if (!isObject(value)) throw new PasteError('Paste the result the snippet showed: it starts with { and ends with }.');
  const response = value.response;
  if (value.type !== 'public-key' || !isObject(response)) {
    throw new PasteError('This is not the result of a passkey: run the snippet from this page on web.whatsapp.com and paste what it shows.');
  }
  const clientDataJSON = binaryField(response, 'clientDataJSON');
  const authenticatorData = binaryField(response, 'authenticatorData');
  const signature = binaryField(response, 'signature');
  const rawId = binaryField(value, 'rawId');
  const userHandle = response.userHandle == null ? null : binaryField(response, 'userHandle');
  if (Buffer.from(authenticatorData, 'base64url').length < MIN_AUTHENTICATOR_DATA) {
    throw new PasteError('The result is cut short (authenticatorData): copy the whole result again.');
  }
  checkClientData(clientDataJSON, challenge);
  const assertion: PasskeyAssertion = {
    id: typeof value.id === 'string' && value.id ? value.id : rawId,
    rawId,
    type: 'public-key',
    response: { clientDataJSON, authenticatorData, signature, userHandle },
  };
  return { assertion, rawId: Buffer.from(rawId, 'base64url') };
}

function parseText(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) throw new PasteError('Paste the whole result the snippet showed: it starts with { and ends with }.');
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new PasteError('The pasted result is not complete: copy all of it again (it starts with { and ends with }).');
  }
}

/** A base64url field, returned unpadded (WhatsApp's form) whatever padding the browser used. */
function binaryField(owner: Record<string, unknown>, name: string): string {
  const field = owner[name];
  if (typeof field !== 'string' || !BASE64URL.test(field)) {
    throw new PasteError(`The result has no valid ${name}: copy the whole result again, or run the snippet again.`);
  }
  return Buffer.from(field, 'base64url').toString('base64url');
}

function checkClientData(clientDataJSON: string, challenge: string): void {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    throw new PasteError('The result has no readable clientDataJSON: copy the whole result again.');
  }
  if (!isObject(data) || data.type !== 'webauthn.get') {
    throw new PasteError('This result comes from creating a passkey, not from using one: run the snippet from this page again.');
  }
  if (data.challenge !== challenge) {
    throw new PasteError('This result answers another request (an older snippet?): copy the snippet shown on this page now and run it again.');
  }
  if (data.origin !== WHATSAPP_WEB_ORIGIN) {
    throw new PasteError(`The snippet ran on ${String(data.origin)}, not on ${WHATSAPP_WEB_ORIGIN}: open ${WHATSAPP_WEB_ORIGIN} and run it there.`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// Text a contact chooses (push name, caption, file name, poll options, vCards, message ids) made
// harmless where it leaves the app as text: one log line, one MQTT topic level. (The page sets
// it with textContent; JSON payloads escape it themselves.)

/**
 * Characters that end a line or steer a terminal or a log viewer: C0 controls (CR, LF, ESC...),
 * DEL, C1 controls (0x9B is a one-byte CSI), the Unicode line and paragraph separators, and the
 * bidirectional overrides and isolates that make a line read differently from what it holds.
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` on one line with every control character visible as an escape (`\n`, `\x1b`, `\u202e`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/**
 * One level of an MQTT topic built from `value`: letters, digits, `_` and `-` only, so no `/`
 * (a new level), `+`/`#` (wildcards), NUL or `$` (broker-internal topics) can get into a topic.
 * Anything else is refused: a topic is built only from values the app controls.
 */
export function topicLevel(value: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new Error(`Not usable in an MQTT topic: ${JSON.stringify(value.slice(0, 40))}`);
  return value;
}

import type { OptionReader } from './option-reader.js';
import { readUrlAllowList, type UrlAllowList } from './url-allow-option.js';

const MIN_API_TOKEN_LENGTH = 16;
const GENERATED_INSTEAD = "the message API uses the generated token shown on the app's page until it is fixed (or left empty)";

/** Where the message API's token comes from; a refused option falls back to a generated token. */
export type ApiTokenOption =
  { readonly source: 'option'; readonly value: string } | { readonly source: 'generated' } | { readonly source: 'refused'; readonly reason: string };

/** The message API and what it sends. */
export interface ApiOptions {
  readonly apiToken: ApiTokenOption;
  /** Minimum pause between two messages the bridge sends (spam protection), in ms. */
  readonly sendIntervalMs: number;
  /** Internal hosts a `url` send may fetch from (`send_url_allow`); public ones always may. */
  readonly sendUrlAllow: UrlAllowList;
  /** "typing…" in the chat for 1-3 s before each new message (`typing_before_send`). */
  readonly typingBeforeSend: boolean;
}

/** `api_token`, `send_interval`, `send_url_allow`, `typing_before_send`. */
export function readApiOptions(read: OptionReader): ApiOptions {
  return {
    apiToken: readApiToken(read),
    sendIntervalMs: Math.round(read.number('send_interval', 0, 60, 2) * 1000),
    sendUrlAllow: readUrlAllowList(read),
    typingBeforeSend: read.bool('typing_before_send', true),
  };
}

/** Text of at least 16 characters, or absent (a generated one is used); the refused value is never echoed. */
function readApiToken(read: OptionReader): ApiTokenOption {
  const name = 'api_token';
  const value = read.secret(name, GENERATED_INSTEAD);
  if (read.hasProblem(name)) return { source: 'refused', reason: 'it is not text' };
  if (value === null) return { source: 'generated' };
  if (value.length >= MIN_API_TOKEN_LENGTH) return { source: 'option', value };
  const reason = `it is shorter than ${MIN_API_TOKEN_LENGTH} characters`;
  read.problem(name, `was refused because ${reason}; ${GENERATED_INSTEAD}`);
  return { source: 'refused', reason };
}

import { readFileSync } from 'node:fs';

/** The app's version, from package.json (one level above both src/ and dist/). */
export const APP_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const USER_AGENT = `WhatsAppBridge/${APP_VERSION}`;

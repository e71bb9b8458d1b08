import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { needs } from '../../support/system-command.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** `skip` option for tests that launch Chromium: describe('...', { skip: needsChromium }, ...). */
export const needsChromium = needs(CHROMIUM_PATH, 'chromium');
export const SCREENSHOT_DIR = join(process.cwd(), 'test-output', 'screenshots');
/** Where the README and DOCS.md take their pictures from; written only with UPDATE_DOCS_IMAGES=1. */
export const DOCS_IMAGES_DIR = join(process.cwd(), 'docs', 'images');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Saves a full-page screenshot to test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}

/** Collects uncaught page errors and failed console messages so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** With UPDATE_DOCS_IMAGES=1, also saves the screenshot as docs/images/<name>.png for the docs. */
export async function publishScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_DOCS_IMAGES !== '1') return;
  await page.screenshot({ path: join(DOCS_IMAGES_DIR, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

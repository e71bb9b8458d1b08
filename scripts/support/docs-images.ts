/** The screenshots scripts/screenshots.ts makes into docs/images, and how each says its version. */
export const SCREENSHOTS = ['page-pairing', 'page-connected', 'page-dark', 'page-receiver-failing', 'page-options-invalid', 'page-passkey', 'page-chats'];

/** The PNG tEXt keyword holding the app version a screenshot shows. */
export const SCREENSHOT_VERSION_KEY = 'WhatsApp Bridge version';

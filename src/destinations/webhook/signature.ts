import { createHmac } from 'node:crypto';

export interface SignatureHeaders {
  'webhook-signature': string;
  'X-Webhook-Signature': string;
}

/**
 * Both signatures a receiver may check:
 * - Standard Webhooks: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, where the key
 *   is the base64 part of a `whsec_` secret, otherwise the secret's UTF-8 bytes;
 * - `sha256=<hex HMAC-SHA256(secret, body)>`, the form WA-RS and GitHub receivers verify.
 */
export function signatureHeaders(secret: string, deliveryId: string, timestamp: number, body: string): SignatureHeaders {
  const standardKey = secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
  const standard = createHmac('sha256', standardKey).update(`${deliveryId}.${timestamp}.${body}`).digest('base64');
  const plain = createHmac('sha256', secret).update(body).digest('hex');
  return { 'webhook-signature': `v1,${standard}`, 'X-Webhook-Signature': `sha256=${plain}` };
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';
const SEALED_VERSION = 'v1';

/**
 * Webhook signing secrets must be read back to sign (an HMAC key cannot be hashed like an API
 * key), so they are stored sealed: AES-256-GCM under a key derived (HKDF-SHA256) from the
 * config's `webhooks.secretKey`, or from `adminApiKey` when that is not set. A copy of the
 * database alone does not reveal them; changing the key material makes the stored secrets
 * unreadable (their deliveries fail with "secret unreadable": re-create those endpoints).
 */
export class WebhookSecretBox {
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    if (keyMaterial === '') throw new Error('webhook secret key material must not be empty');
    this.key = Buffer.from(
      hkdfSync('sha256', keyMaterial, 'numbroker', 'webhook endpoint secrets v1', 32),
    );
  }

  /** The box for a config: `webhooks.secretKey`, else `adminApiKey`, else a fixed fallback
   *  (`sealedWithFallback` true: the secrets are then only obfuscated; say so at start). */
  static fromConfig(config: {
    webhooks: { secretKey?: string | undefined };
    adminApiKey?: string | undefined;
  }): {
    box: WebhookSecretBox;
    sealedWithFallback: boolean;
  } {
    const material = config.webhooks.secretKey ?? config.adminApiKey;
    return {
      box: new WebhookSecretBox(material ?? 'numbroker: no webhooks.secretKey or adminApiKey set'),
      sealedWithFallback: material === undefined,
    };
  }

  /** A new Standard Webhooks secret: "whsec_" + base64 of 32 random bytes. */
  static generateSecret(): string {
    return `${PREFIX}${randomBytes(32).toString('base64')}`;
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([
      cipher.update(secret, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${SEALED_VERSION}:${iv.toString('base64')}:${sealed.toString('base64')}`;
  }

  /** The secret, or throws when sealed under another key (or tampered with). */
  open(sealed: string): string {
    const [version, ivText, bodyText] = sealed.split(':');
    if (version !== SEALED_VERSION || !ivText || !bodyText) {
      throw new Error('webhook secret unreadable: unknown format');
    }
    const body = Buffer.from(bodyText, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(ivText, 'base64'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    try {
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - 16)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error('webhook secret unreadable: sealed under another key');
    }
  }
}

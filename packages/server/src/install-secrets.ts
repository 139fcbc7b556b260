import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Keys that must never sit in the database they protect. */
export interface InstallSecrets {
  /** Keys card fingerprints (HMAC of the card number). */
  fingerprintKey: string;
  /** Signs the sandbox's notifications to the gateway. */
  sandboxNotificationSecret: string;
  /** Signs the redirect app's notifications to the gateway. */
  redirectSecret: string;
  /** Keys the per-client hashes behind attempt and rate limits (no raw IPs stored). */
  clientKey: string;
}

/** Defaults earlier versions shipped: anyone could sign notifications with them. */
const KNOWN_DEFAULTS = new Set(['sandbox_notification_secret', 'redirect_notification_secret']);

const FILE_NAME = 'kassa-secrets.json';
const fresh = () => randomBytes(32).toString('base64url');

function generate(): InstallSecrets {
  return {
    fingerprintKey: fresh(),
    sandboxNotificationSecret: fresh(),
    redirectSecret: fresh(),
    clientKey: fresh(),
  };
}

/** Where the install's secrets live: in the data directory, never in the database. */
export const secretsFileIn = (dataDir: string) => join(dataDir, FILE_NAME);

/**
 * The install's secrets: from the environment where set, else from a 0600 file beside
 * the database, generated on first start (an in-memory database gets fresh ones). A copy
 * of the database alone therefore holds no key to check card-number guesses against,
 * and no notification can be forged with a value from the source code. Refuses the
 * known defaults of earlier versions.
 */
export function loadInstallSecrets(
  /** The data directory; null for a throwaway install (an in-memory database). */
  dataDir: string | null,
  env: Record<string, string | undefined>,
): InstallSecrets {
  let secrets = generate();
  if (dataDir !== null) {
    const file = secretsFileIn(dataDir);
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file)) {
      try {
        writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Another process (a worker started beside the gateway) wrote it first.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    secrets = { ...secrets, ...(JSON.parse(readFileSync(file, 'utf8')) as InstallSecrets) };
  }
  const fromEnv = (name: string, fallback: string) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (KNOWN_DEFAULTS.has(value)) {
      throw new Error(`${name}: this is a published default; set a secret of your own`);
    }
    return value;
  };
  return {
    fingerprintKey: fromEnv('KASSA_FINGERPRINT_SECRET', secrets.fingerprintKey),
    sandboxNotificationSecret: fromEnv(
      'KASSA_SANDBOX_NOTIFICATION_SECRET',
      secrets.sandboxNotificationSecret,
    ),
    redirectSecret: fromEnv('KASSA_REDIRECT_SECRET', secrets.redirectSecret),
    clientKey: fromEnv('KASSA_CLIENT_KEY_SECRET', secrets.clientKey),
  };
}

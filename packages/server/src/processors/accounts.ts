import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Processor, ProcessorCredentials } from '@kassa/processors';
import { newId } from '@kassa/protocol';
import { ApiError } from '../http/api-error.ts';
import type { Parts } from '../parts.ts';
import type { ProcessorAccountRow } from '../store/types.ts';

/** The row's identity (unique in the table) is bound into the seal: a sealed blob copied
 * onto another merchant's, processor's or mode's row does not open. The id is left out:
 * two processes saving at once keep the first row's id, and either seal opens. */
const aadOf = (row: Pick<ProcessorAccountRow, 'merchantId' | 'processor' | 'livemode'>) =>
  Buffer.from(`${row.merchantId}|${row.processor}|${row.livemode ? 'live' : 'test'}`);

/** AES-256-GCM: base64 of a 12-byte IV, the 16-byte tag and the ciphertext. */
export function seal(key: Buffer, aad: Buffer, value: ProcessorCredentials): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function unseal(key: Buffer, aad: Buffer, sealed: string): ProcessorCredentials {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(raw.subarray(12, 28));
  const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString(
    'utf8',
  );
  return JSON.parse(text) as ProcessorCredentials;
}

const mode = (livemode: boolean) => (livemode ? 'live' : 'test');

/** What may be shown of a credential: public fields whole, secrets as `…` and the last 4. */
function hintsOf(processor: Processor, credentials: ProcessorCredentials) {
  const fields = processor.capabilities.credentials ?? [];
  return Object.fromEntries(
    fields
      .filter((f) => credentials[f.name])
      .map((f) => {
        const value = credentials[f.name] as string;
        return [f.name, f.secret ? `…${value.slice(-4)}` : value];
      }),
  );
}

/**
 * Merchants' own accounts at processors (a Stripe account's keys), per mode: checked
 * against what the adapter asks for, sealed with KASSA_ENCRYPTION_KEY before they reach
 * the database, opened only for the call that needs them, never logged or returned.
 */
export function createAccounts(deps: Pick<Parts, 'store' | 'config' | 'clock'>) {
  const { store, config } = deps;
  /** Whether each sealed value opens with this process's key (see `opens`). */
  const opened = new Map<string, boolean>();

  function key(): Buffer {
    if (!config.encryptionKey) {
      throw new ApiError(
        400,
        'encryption_key_missing',
        'Set KASSA_ENCRYPTION_KEY (openssl rand -hex 32) before saving or using processor credentials.',
      );
    }
    return config.encryptionKey;
  }

  return {
    /** Checks and saves a merchant's credentials for a processor and mode. */
    async save(
      processor: Processor,
      merchantId: string,
      livemode: boolean,
      credentials: Record<string, string>,
    ): Promise<ProcessorAccountRow> {
      const fields = processor.capabilities.credentials;
      if (!fields) {
        throw new ApiError(400, 'credentials_not_needed', `${processor.id} takes no credentials.`, {
          param: 'processor',
        });
      }
      for (const name of Object.keys(credentials)) {
        if (!fields.some((f) => f.name === name)) {
          throw new ApiError(400, 'parameter_unknown', `${processor.id} has no field ${name}.`, {
            param: name,
          });
        }
      }
      for (const f of fields) {
        const value = credentials[f.name];
        if (f.required && !value) {
          throw new ApiError(400, 'parameter_missing', `${f.name} is required: ${f.description}.`, {
            param: f.name,
          });
        }
        if (value && f.pattern && !f.pattern.test(value)) {
          // The value itself is never echoed: it may be a secret pasted in the wrong place.
          throw new ApiError(
            400,
            'parameter_invalid',
            `${f.name} does not look right: ${f.description}.`,
            {
              param: f.name,
            },
          );
        }
      }
      const keysMode = processor.modeOfCredentials?.(credentials);
      if (keysMode !== undefined && keysMode !== mode(livemode)) {
        throw new ApiError(
          400,
          'credentials_mode_mismatch',
          keysMode
            ? `These are ${keysMode}-mode keys; save them with --mode ${keysMode}.`
            : 'The keys belong to different modes (test and live); use one pair.',
          { param: 'mode' },
        );
      }
      const now = deps.clock.now();
      const base = { merchantId, processor: processor.id, livemode };
      // One row per merchant, processor and mode, kept by the database's unique index: a
      // save replaces the credentials and keeps the row's id (and its webhook URL).
      return store.transaction((tx) =>
        tx.accounts.save({
          ...base,
          id: newId('pacct'),
          sealed: seal(key(), aadOf(base), credentials),
          hints: hintsOf(processor, credentials),
          createdAt: now,
          updatedAt: now,
        }),
      );
    },

    /** Opens an account's credentials for one call. */
    open(row: ProcessorAccountRow): ProcessorCredentials {
      return unseal(key(), aadOf(row), row.sealed);
    },

    /**
     * Whether this gateway can open the account (KASSA_ENCRYPTION_KEY set, and the one it
     * was saved with). One it cannot is treated as absent: nothing is routed to it, and
     * the start says so loudly (`checkAccounts`).
     */
    opens(row: ProcessorAccountRow): boolean {
      const k = deps.config.encryptionKey;
      if (!k) return false;
      // A pure function of the sealed text (its IV makes each save's unique) and this
      // process's key: remembered, so routing does not decrypt on every request.
      const known = opened.get(row.sealed);
      if (known !== undefined) return known;
      let ok = true;
      try {
        unseal(k, aadOf(row), row.sealed);
      } catch {
        ok = false;
      }
      if (opened.size >= 1000) opened.clear();
      opened.set(row.sealed, ok);
      return ok;
    },

    /** The merchant's account at a processor in a mode, opened; null if none. */
    credentialsFor(
      accounts: readonly ProcessorAccountRow[],
      processor: string,
      livemode: boolean,
    ): ProcessorCredentials | null {
      const row = accounts.find((a) => a.processor === processor && a.livemode === livemode);
      if (!row) return null;
      try {
        return unseal(key(), aadOf(row), row.sealed);
      } catch {
        // Not this gateway's key (or none): as if the account were not there.
        return null;
      }
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;

/**
 * Before the gateway serves: every saved account must open with this KASSA_ENCRYPTION_KEY.
 * Live accounts without the key (or with another key) stop the start; test ones are
 * reported and left unused, so a development install still starts.
 */
export async function checkAccounts(
  deps: Pick<Parts, 'store' | 'config' | 'logger'>,
): Promise<void> {
  const rows = await deps.store.read((tx) => tx.accounts.list(null));
  const key = deps.config.encryptionKey;
  for (const row of rows) {
    let problem: string | null = null;
    if (!key) problem = 'KASSA_ENCRYPTION_KEY is not set';
    else {
      try {
        unseal(key, aadOf(row), row.sealed);
      } catch {
        problem = 'KASSA_ENCRYPTION_KEY does not open it (a different key?)';
      }
    }
    if (!problem) continue;
    const what = `${row.processor} ${mode(row.livemode)} credentials of ${row.merchantId}`;
    if (row.livemode) throw new Error(`refusing to start: ${what} are saved but ${problem}`);
    deps.logger.warn({ account: row.id }, `${what} cannot be used: ${problem}`);
  }
}

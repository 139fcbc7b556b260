/** Entries kept at most; past this the cache starts again (keys sprayed at random fill it
 * with misses). */
const MAX_ENTRIES = 10_000;

/**
 * The rows read on nearly every request about a merchant — an API key and its owner, the
 * merchant, its processor accounts, its webhook endpoints, its current secret key — kept
 * in this process between changes. Each entry is tagged with the store's configuration
 * version when it was read; a change of any such row, in this process or another (see
 * `Store.configVersion`), moves the version and every entry is read again. While the store
 * cannot tell (NaN), nothing is kept. The repositories of those rows read through it,
 * except in a transaction that changed one (it reads its own writes).
 */
export function createConfigCache(version: () => number) {
  const entries = new Map<string, { version: number; value: unknown }>();
  return {
    /** The entry under `key` if it is current. */
    peek<T>(key: string): { value: T } | undefined {
      const hit = entries.get(key);
      return hit && hit.version === version() ? { value: hit.value as T } : undefined;
    },
    async get<T>(key: string, load: () => Promise<T>): Promise<T> {
      // The version before the read: a change committed meanwhile makes this entry old.
      const v = version();
      const hit = entries.get(key);
      if (hit && hit.version === v) return hit.value as T;
      const value = await load();
      if (!Number.isNaN(v)) {
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(key, { version: v, value });
      }
      return value;
    },
  };
}

export type ConfigCache = ReturnType<typeof createConfigCache>;

export const configKeys = {
  secretKey: (hash: string) => `s\0${hash}`,
  publishableKey: (key: string) => `p\0${key}`,
  merchant: (id: string) => `m\0${id}`,
  activeSecretKey: (merchantId: string, livemode: boolean) => `k\0${merchantId}\0${livemode}`,
  accounts: (merchantId: string) => `a\0${merchantId}`,
  endpoints: (merchantId: string, livemode: boolean) => `e\0${merchantId}\0${livemode}`,
};

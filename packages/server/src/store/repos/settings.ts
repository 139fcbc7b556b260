import { insertSql, rows, sql } from '../executor.ts';
import { repository } from './repository.ts';

export interface SettingReads {
  get(key: string): Promise<string | null>;
}

export interface SettingWrites {
  set(key: string, value: string): Promise<void>;
  /** Inserts a setting that does not exist yet; false if it does (a once-only claim). */
  claim(key: string, value: string): Promise<boolean>;
}

/** The install's own settings (secrets' digests, the demo merchant, health). */
export const settingsRepository = repository<SettingReads, SettingWrites>((ex, d) => {
  const c = d.codecs.settings;
  return {
    read: {
      get: async (key) =>
        (await rows(ex, c, sql`SELECT * FROM settings WHERE key = ${key}`))[0]?.value ?? null,
    },
    write: {
      set: async (key, value) => {
        await ex.run(
          ...sql`INSERT INTO settings (key, value) VALUES (${key}, ${value})
            ON CONFLICT (key) DO UPDATE SET value = excluded.value`.args,
        );
      },
      claim: async (key, value) =>
        (await ex.run(...insertSql(c, { key, value }, { ignoreConflict: true }).args)) === 1,
    },
  };
});

import type { Session } from './api.ts';
import type { Strings } from './i18n.ts';

/** What every page of the dashboard is given: the words, the session and the mode. */
export interface Ctx {
  t: Strings;
  intl: string;
  session: Session;
  live: boolean;
  /** `?mode=live` or nothing, for every call. */
  mode: string;
}

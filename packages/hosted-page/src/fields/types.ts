import type { PageIntent } from '../api.ts';
import type { Strings } from '../i18n.ts';

/** An error or decline, by its codes. */
export interface Problem {
  code?: string | null;
  decline_code?: string | null;
}

/** What the page hands a processor's own card fields. */
export interface FieldsProps {
  boot: { id: string; secret: string; lang: string; accent: string | null };
  t: Strings;
  payLabel: string;
  busy: boolean;
  setBusy: (busy: boolean) => void;
  /** The intent after the gateway recorded the outcome (or found it settled). */
  onIntent: (intent: PageIntent) => void;
  /** A decline or an error the shopper should read (by its codes: the page words it in
   * the shopper's language), or null to clear it. */
  onNotice: (problem: Problem | null, intent?: PageIntent) => void;
  /** The payment waits for the shopper's action in the processor's own flow (3-D Secure
   * at Stripe): the fields carry on with it. */
  resumeAction?: boolean;
}

import type { ComponentChildren } from 'preact';
import type { FieldsProps } from './types.ts';

/** Why a processor's fields could not load, and whether loading them again may help. */
export interface FieldsFailure {
  message: string;
  retry: boolean;
}

/**
 * The form around a processor's own fields: a line while they load, the failure with its
 * retry, whose fields they are, and the Pay button, enabled once they are ready.
 */
export function ProcessorForm(props: {
  processor: string;
  testId: string;
  ready: boolean;
  failed: FieldsFailure | null;
  onRetry: () => void;
  onSubmit: (e: Event) => void;
  fields: Pick<FieldsProps, 't' | 'busy' | 'payLabel'>;
  children?: ComponentChildren;
}) {
  const { t, busy, payLabel } = props.fields;
  return (
    <form aria-label={t.card} onSubmit={props.onSubmit} data-testid={props.testId}>
      {props.children}
      {!props.ready && !props.failed && (
        <p class="hint" role="status">
          {t.loadingFields}
        </p>
      )}
      {props.failed && (
        <div class="notice" role="alert" data-testid="fields-failed">
          <p>{props.failed.message}</p>
          {props.failed.retry && (
            <button type="button" class="link" onClick={props.onRetry}>
              {t.retryFields}
            </button>
          )}
        </div>
      )}
      <p class="hint">{t.securedBy(props.processor)}</p>
      <button type="submit" class="pay" disabled={busy || !props.ready} aria-busy={busy}>
        {busy ? t.paying : payLabel}
      </button>
    </form>
  );
}

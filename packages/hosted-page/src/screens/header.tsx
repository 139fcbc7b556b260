import type { PageIntent } from '../api.ts';
import type { Strings } from '../i18n.ts';

/** Whom the shopper pays, how much, and (in the modal) a way out. */
export function Header(props: {
  intent: PageIntent;
  amount: string;
  t: Strings;
  onClose: (() => void) | null;
}) {
  const { intent, t } = props;
  return (
    <header>
      <div>
        <p class="merchant">{intent.merchant.name}</p>
        <p class="amount" data-testid="amount">
          {props.amount}
        </p>
        {intent.description && <p class="description">{intent.description}</p>}
      </div>
      {!intent.livemode && <span class="badge">{t.testMode}</span>}
      {props.onClose && (
        <button type="button" class="close" aria-label={t.close} onClick={props.onClose}>
          ×
        </button>
      )}
    </header>
  );
}

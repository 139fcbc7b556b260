import type { Ref } from 'preact';
import type { Strings } from '../i18n.ts';

/** "Still confirming: close anyway?", asked once while a payment is under way. */
export function Ask(props: {
  t: Strings;
  keepWaiting: Ref<HTMLButtonElement>;
  onKeepWaiting: () => void;
  onClose: () => void;
}) {
  const { t } = props;
  return (
    <section class="screen" role="alertdialog" aria-labelledby="ask-title" data-testid="ask">
      <h1 id="ask-title">{t.stillConfirming}</h1>
      <p>{t.stillConfirmingBody}</p>
      <div class="choices">
        <button type="button" class="pay" ref={props.keepWaiting} onClick={props.onKeepWaiting}>
          {t.keepWaiting}
        </button>
        <button type="button" class="link" onClick={props.onClose}>
          {t.close}
        </button>
      </div>
    </section>
  );
}

import { useState } from 'preact/hooks';
import { Field } from './field.tsx';
import type { Strings } from './i18n.ts';
import type { Platform } from './platform.ts';

const VPA = /^[a-z0-9._-]{2,256}@[a-z][a-z0-9]{1,63}$/;

/** A UPI ID such as name@bank. */
export function UpiForm(props: {
  t: Strings;
  payLabel: string;
  busy: boolean;
  /** Test mode: the sandbox's test addresses are named under the field. */
  test?: boolean;
  platform: Platform;
  onPay: (vpa: string) => void;
  /** Pay in the shopper's own UPI app: a QR code on a computer, app links on a phone. */
  onApp: () => void;
}) {
  const { t } = props;
  const [vpa, setVpa] = useState('');
  const [error, setError] = useState<string | null>(null);
  const valid = () => VPA.test(vpa.trim().toLowerCase());
  const submit = (e: Event) => {
    e.preventDefault();
    if (props.busy) return;
    if (!valid()) {
      setError(t.errVpa);
      document.getElementById('upi-vpa')?.focus();
      return;
    }
    props.onPay(vpa.trim().toLowerCase());
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t.upi}>
      <button
        type="button"
        class="pay app-choice"
        disabled={props.busy}
        onClick={() => !props.busy && props.onApp()}
      >
        {props.platform === 'desktop' ? t.upiShowQr : t.upiWithApp}
      </button>
      <p class="or">{t.upiOr}</p>
      <Field
        id="upi-vpa"
        label={t.vpa}
        hint={t.vpaHint}
        value={vpa}
        autocomplete="off"
        autocapitalize="none"
        spellcheck={false}
        error={error}
        onBlur={() => setError(vpa && !valid() ? t.errVpa : null)}
        onValue={setVpa}
      />
      {props.test && <p class="hint">{t.testVpas}</p>}
      <button type="submit" class="pay secondary" disabled={props.busy} aria-busy={props.busy}>
        {props.busy ? t.paying : props.payLabel}
      </button>
    </form>
  );
}

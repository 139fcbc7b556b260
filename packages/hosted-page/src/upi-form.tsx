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
  /** The merchant offers UPI collect (a request to the UPI ID typed here). NPCI retired
   * collect for most merchants in 2026: without it, only the app and the QR code. */
  collect: boolean;
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
      {props.collect && (
        <CollectFields
          {...props}
          vpa={vpa}
          setVpa={setVpa}
          error={error}
          setError={setError}
          valid={valid}
        />
      )}
    </form>
  );
}

/** Paying by a request to the shopper's UPI ID, where the merchant offers it. */
function CollectFields(
  props: Parameters<typeof UpiForm>[0] & {
    vpa: string;
    setVpa: (v: string) => void;
    error: string | null;
    setError: (e: string | null) => void;
    valid: () => boolean;
  },
) {
  const { t, vpa, error } = props;
  return (
    <>
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
        onBlur={() => props.setError(vpa && !props.valid() ? t.errVpa : null)}
        onValue={props.setVpa}
      />
      {props.test && <p class="hint">{t.testVpas}</p>}
      <button type="submit" class="pay secondary" disabled={props.busy} aria-busy={props.busy}>
        {props.busy ? t.paying : props.payLabel}
      </button>
    </>
  );
}

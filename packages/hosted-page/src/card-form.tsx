import { useState } from 'preact/hooks';
import { BrandMarks } from './brand-marks.tsx';
import { brandOf, digitsOf, formatExpiry, formatNumber, parseExpiry, validNumber } from './card.ts';
import { Field } from './field.tsx';
import type { Strings } from './i18n.ts';

export interface CardData {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
  name?: string;
}

type Errors = Partial<Record<'number' | 'expiry' | 'cvc' | 'name', string | null>>;

/** Card number (grouped, brand shown), expiry MM/YY, CVC by brand, and the cardholder's name. */
export function CardForm(props: {
  t: Strings;
  payLabel: string;
  busy: boolean;
  onPay: (card: CardData) => void;
}) {
  const { t } = props;
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [cvc, setCvc] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const brand = brandOf(number);

  const check = (field: keyof Errors): string | null => {
    if (field === 'number') return validNumber(number) ? null : t.errNumber;
    if (field === 'expiry') {
      const e = parseExpiry(expiry);
      return typeof e === 'string' ? t[e] : null;
    }
    if (field === 'cvc')
      return digitsOf(cvc).length === brand.cvcLength ? null : t.errCvc(brand.cvcLength);
    // The name is optional: no processor here needs it (Stripe does not ask for it either).
    return null;
  };
  const blur = (field: keyof Errors) => () => setErrors((e) => ({ ...e, [field]: check(field) }));

  const submit = (e: Event) => {
    e.preventDefault();
    if (props.busy) return;
    const next: Errors = {
      number: check('number'),
      expiry: check('expiry'),
      cvc: check('cvc'),
      name: check('name'),
    };
    setErrors(next);
    const firstBad = (['number', 'expiry', 'cvc', 'name'] as const).find((f) => next[f]);
    if (firstBad) {
      document.getElementById(`card-${firstBad}`)?.focus();
      return;
    }
    const exp = parseExpiry(expiry) as { month: number; year: number };
    props.onPay({
      number: digitsOf(number),
      exp_month: exp.month,
      exp_year: exp.year,
      cvc: digitsOf(cvc),
      name: name.trim() || undefined,
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={t.card}>
      <Field
        id="card-number"
        label={t.cardNumber}
        value={number}
        inputMode="numeric"
        autocomplete="cc-number"
        placeholder="1234 1234 1234 1234"
        error={errors.number}
        onBlur={blur('number')}
        onValue={(v) => setNumber(formatNumber(v))}
        data-brand={brand.brand}
        adornment={<BrandMarks brand={brand.brand} empty={number === ''} />}
      />
      <p class="brand" aria-live="polite">
        {brand.label}
      </p>
      <div class="row">
        <Field
          id="card-expiry"
          label={t.expiry}
          value={expiry}
          inputMode="numeric"
          autocomplete="cc-exp"
          placeholder="MM / YY"
          error={errors.expiry}
          onBlur={blur('expiry')}
          onValue={(v, _i, e) => setExpiry(formatExpiry(v, e.inputType?.startsWith('delete')))}
        />
        <Field
          id="card-cvc"
          label={t.cvc}
          value={cvc}
          inputMode="numeric"
          autocomplete="cc-csc"
          placeholder={brand.cvcLength === 4 ? '1234' : '123'}
          maxLength={4}
          error={errors.cvc}
          onBlur={blur('cvc')}
          onValue={(v) => setCvc(digitsOf(v).slice(0, brand.cvcLength))}
        />
      </div>
      <Field
        id="card-name"
        label={t.name}
        value={name}
        autocomplete="cc-name"
        error={errors.name}
        onBlur={blur('name')}
        onValue={setName}
      />
      <button type="submit" class="pay" disabled={props.busy} aria-busy={props.busy}>
        {props.busy ? t.paying : props.payLabel}
      </button>
    </form>
  );
}

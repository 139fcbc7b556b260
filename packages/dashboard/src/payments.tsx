import { isKnownCurrency, parseAmount } from '@kassa/protocol/format';
import { useEffect, useState } from 'preact/hooks';
import { api, type List, type Payment, query } from './api.ts';
import type { Ctx } from './ctx.ts';
import { money, shownStatus, when } from './format.ts';
import { go, onLinkClick } from './router.ts';

const STATUSES = [
  'succeeded',
  'requires_capture',
  'requires_payment_method',
  'requires_action',
  'processing',
  'failed',
  'canceled',
  'expired',
];

/** Local midnight of a yyyy-mm-dd, in seconds; `end` the last second of that day. */
const day = (value: string, end = false) =>
  value
    ? Math.floor(new Date(`${value}T${end ? '23:59:59' : '00:00:00'}`).getTime() / 1000)
    : undefined;

const METHODS = ['card', 'upi'];

/** The API's name of a bad parameter (`/v1/payment_intents`'s), as the label of the
 * field it came from. */
const FIELD_LABEL: Record<
  string,
  'minAmount' | 'maxAmount' | 'method' | 'currency' | 'status' | 'from' | 'to'
> = {
  'amount[gte]': 'minAmount',
  'amount[lte]': 'maxAmount',
  payment_method_type: 'method',
  currency: 'currency',
  status: 'status',
  'created[gte]': 'from',
  'created[lte]': 'to',
};

/**
 * Payments, newest first: search by payment id, order id or processor reference, filter by
 * status, method, amount and dates, a page at a time. The filters live in the address (the
 * amounts as typed, in the currency's major unit), so a view can be shared and the back
 * button works.
 */
export function PaymentsPage({ ctx, url }: { ctx: Ctx; url: URL }) {
  const { t, intl } = ctx;
  const p = url.searchParams;
  const activeFilters = ['status', 'method', 'currency', 'min', 'max', 'from', 'to'].filter((k) =>
    p.get(k),
  ).length;
  const [filtersOpen, setFiltersOpen] = useState(activeFilters > 0);
  const [form, setForm] = useState({
    q: p.get('q') ?? '',
    status: p.get('status') ?? '',
    method: p.get('method') ?? '',
    currency: p.get('currency') ?? '',
    min: p.get('min') ?? '',
    max: p.get('max') ?? '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const [list, setList] = useState<List<Payment> | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setList(null);
    setError(null);
    const currency = p.get('currency') ?? '';
    const amount = (key: 'min' | 'max') => {
      const v = p.get(key);
      return v && currency ? (parseAmount(v, currency) ?? v) : undefined;
    };
    const q = query({
      mode: ctx.mode,
      q: p.get('q'),
      status: p.get('status'),
      payment_method_type: p.get('method'),
      currency,
      'amount[gte]': amount('min'),
      'amount[lte]': amount('max'),
      'created[gte]': day(p.get('from') ?? ''),
      'created[lte]': day(p.get('to') ?? '', true),
      starting_after: p.get('after'),
      ending_before: p.get('before'),
      limit: 25,
    });
    api<List<Payment>>('GET', `/payments${q}`).then((a) => {
      if (a.ok) return setList(a.data);
      const field = a.status === 400 ? FIELD_LABEL[a.error?.param ?? ''] : undefined;
      setError(field ? t.badFilter(t[field]) : a.status === 0 ? t.networkError : t.somethingWrong);
    });
  }, [url.search, ctx.mode]);

  const submit = (e: Event) => {
    e.preventDefault();
    // An amount means little without its currency: the one chosen, else the newest
    // payment's.
    const currency = (form.currency || (form.min || form.max ? currencyGuess : '')).toUpperCase();
    for (const key of ['min', 'max'] as const) {
      if (form[key] && (!isKnownCurrency(currency) || parseAmount(form[key], currency) === null)) {
        setInvalid(key);
        return;
      }
    }
    setInvalid(null);
    go(`/dashboard/payments${query({ ...form, currency })}`);
  };
  const page = (dir: 'after' | 'before', id: string) => {
    const next = new URLSearchParams(p);
    next.delete('after');
    next.delete('before');
    next.set(dir, id);
    go(`/dashboard/payments?${next}`);
  };
  const rows = list?.data ?? [];
  const currencyGuess = rows[0]?.currency ?? 'INR';
  const first = rows[0];
  const last = rows[rows.length - 1];
  const paged = p.has('after') || p.has('before');

  return (
    <section aria-labelledby="payments-title">
      <h1 id="payments-title">{t.payments}</h1>
      <form class="filters" onSubmit={submit} aria-label={t.search}>
        <label>
          {t.searchLabel}
          <input
            type="search"
            name="q"
            value={form.q}
            onInput={(e) => setForm({ ...form, q: e.currentTarget.value })}
          />
        </label>
        {/* On a phone the filters fold away behind one button (open when any is set), so
            the payments come first; on a wide screen they are always shown. */}
        <button
          type="button"
          class="filters-toggle"
          aria-expanded={filtersOpen}
          aria-controls="filter-fields"
          onClick={() => setFiltersOpen(!filtersOpen)}
        >
          {t.filters(activeFilters)}
        </button>
        <div id="filter-fields" class={`filter-fields${filtersOpen ? ' open' : ''}`}>
          <label>
            {t.status}
            <select
              value={form.status}
              onChange={(e) => setForm({ ...form, status: e.currentTarget.value })}
            >
              <option value="">{t.any}</option>
              {STATUSES.map((s) => (
                <option value={s}>{t.statuses[s]}</option>
              ))}
            </select>
          </label>
          <label>
            {t.method}
            <select
              value={form.method}
              onChange={(e) => setForm({ ...form, method: e.currentTarget.value })}
            >
              <option value="">{t.any}</option>
              {METHODS.map((m) => (
                <option value={m}>{t.methods[m]}</option>
              ))}
            </select>
          </label>
          <label>
            {t.currency}
            <input
              class="currency"
              value={form.currency}
              placeholder={currencyGuess}
              maxLength={3}
              autoComplete="off"
              aria-invalid={
                invalid === 'min' || invalid === 'max'
                  ? !isKnownCurrency(form.currency || currencyGuess)
                  : undefined
              }
              onInput={(e) => setForm({ ...form, currency: e.currentTarget.value.toUpperCase() })}
            />
          </label>
          {(['min', 'max'] as const).map((key) => (
            <label>
              {key === 'min' ? t.minAmount : t.maxAmount}
              <input
                class="amount"
                inputMode="decimal"
                value={form[key]}
                aria-invalid={invalid === key || undefined}
                aria-describedby={invalid === key ? 'filter-error' : undefined}
                onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
              />
            </label>
          ))}
          <label>
            {t.from}
            <input
              type="date"
              value={form.from}
              onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
            />
          </label>
          <label>
            {t.to}
            <input
              type="date"
              value={form.to}
              onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
            />
          </label>
        </div>
        <button type="submit" class="primary">
          {t.search}
        </button>
      </form>
      {invalid && (
        <p role="alert" id="filter-error">
          {t.badFilter(invalid === 'min' ? t.minAmount : t.maxAmount)}
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {!list && !error && <p role="status">{t.loading}</p>}
      {list && rows.length === 0 && <p role="status">{t.noPayments}</p>}
      {rows.length > 0 && (
        <div class="scroll">
          <table data-testid="payments">
            <thead>
              <tr>
                <th scope="col">{t.amount}</th>
                <th scope="col">{t.status}</th>
                <th scope="col">{t.method}</th>
                <th scope="col">{t.order}</th>
                <th scope="col">{t.created}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td class="num">
                    <a href={`/dashboard/payments/${r.id}`} onClick={onLinkClick}>
                      {money(r.amount, r.currency, intl)}
                    </a>
                  </td>
                  <td>
                    <span class={`pill ${shownStatus(r)}`}>
                      {t.statuses[shownStatus(r)] ?? r.status}
                    </span>
                  </td>
                  <td data-testid="payment-method">
                    {r.payment_method?.card
                      ? `${r.payment_method.card.brand} •••• ${r.payment_method.card.last4 ?? ''}`
                      : r.payment_method
                        ? (r.payment_method.upi_vpa ??
                          t.methods[r.payment_method.type] ??
                          r.payment_method.type)
                        : '—'}
                  </td>
                  <td class="mono">{r.order_id}</td>
                  <td>{when(r.created, intl)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list && (paged || list.has_more) && (
        <nav class="pager" aria-label={t.payments}>
          <button
            type="button"
            disabled={!paged || !first || (p.has('before') && !list.has_more)}
            onClick={() => first && page('before', first.id)}
          >
            {t.newer}
          </button>
          <button
            type="button"
            disabled={!last || (!list.has_more && !p.has('before'))}
            onClick={() => last && page('after', last.id)}
          >
            {t.older}
          </button>
        </nav>
      )}
    </section>
  );
}

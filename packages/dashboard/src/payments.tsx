import { isKnownCurrency, parseAmount } from '@kassa/protocol/format';
import { useState } from 'preact/hooks';
import { type List, type Payment, query } from './api.ts';
import { Filters } from './components/filters.tsx';
import { Pager } from './components/pager.tsx';
import { LoadState, Pill } from './components/state.tsx';
import { type Column, Table } from './components/table.tsx';
import type { Ctx } from './ctx.ts';
import { money, shownStatus, when } from './format.ts';
import { useApi } from './hooks/use-api.ts';
import { usePage } from './hooks/use-page.ts';
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
  const currencyOf = p.get('currency') ?? '';
  const amount = (key: 'min' | 'max') => {
    const v = p.get(key);
    return v && currencyOf ? (parseAmount(v, currencyOf) ?? v) : undefined;
  };
  const { data: list, error } = useApi<List<Payment>>(
    `/payments${query({
      mode: ctx.mode,
      q: p.get('q'),
      status: p.get('status'),
      payment_method_type: p.get('method'),
      currency: currencyOf,
      'amount[gte]': amount('min'),
      'amount[lte]': amount('max'),
      'created[gte]': day(p.get('from') ?? ''),
      'created[lte]': day(p.get('to') ?? '', true),
      starting_after: p.get('after'),
      ending_before: p.get('before'),
      limit: 25,
    })}`,
    [url.search, ctx.mode],
    (a) => {
      const field = a.status === 400 ? FIELD_LABEL[a.error?.param ?? ''] : undefined;
      return field ? t.badFilter(t[field]) : a.status === 0 ? t.networkError : t.somethingWrong;
    },
  );
  const pages = usePage(url, list);
  const rows = list?.data ?? [];
  const currencyGuess = rows[0]?.currency ?? 'INR';

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
  const columns: Column<Payment>[] = [
    {
      head: t.amount,
      class: 'num',
      cell: (r) => (
        <a href={`/dashboard/payments/${r.id}`} onClick={onLinkClick}>
          {money(r.amount, r.currency, intl)}
        </a>
      ),
    },
    {
      head: t.status,
      cell: (r) => <Pill status={shownStatus(r)} label={t.statuses[shownStatus(r)] ?? r.status} />,
    },
    {
      head: t.method,
      testid: 'payment-method',
      cell: (r) =>
        r.payment_method?.card
          ? `${r.payment_method.card.brand} •••• ${r.payment_method.card.last4 ?? ''}`
          : r.payment_method
            ? (r.payment_method.upi_vpa ??
              t.methods[r.payment_method.type] ??
              r.payment_method.type)
            : '—',
    },
    { head: t.order, class: 'mono', cell: (r) => r.order_id },
    { head: t.created, cell: (r) => when(r.created, intl) },
  ];

  return (
    <section aria-labelledby="payments-title">
      <h1 id="payments-title">{t.payments}</h1>
      <Filters
        label={t.search}
        onSubmit={submit}
        active={activeFilters}
        t={t}
        search={
          <label>
            {t.searchLabel}
            <input
              type="search"
              name="q"
              value={form.q}
              onInput={(e) => setForm({ ...form, q: e.currentTarget.value })}
            />
          </label>
        }
      >
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
      </Filters>
      {invalid && (
        <p role="alert" id="filter-error">
          {t.badFilter(invalid === 'min' ? t.minAmount : t.maxAmount)}
        </p>
      )}
      <LoadState
        error={error}
        loading={!list}
        empty={rows.length === 0}
        t={t}
        emptyText={t.noPayments}
      />
      {rows.length > 0 && <Table rows={rows} columns={columns} testid="payments" />}
      {pages.shown && <Pager label={t.payments} newer={pages.newer} older={pages.older} t={t} />}
    </section>
  );
}

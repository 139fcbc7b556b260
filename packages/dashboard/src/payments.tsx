import { useEffect, useState } from 'preact/hooks';
import { api, type List, type Payment, query } from './api.ts';
import type { Ctx } from './app.tsx';
import { money, when } from './format.ts';
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

/**
 * Payments, newest first: search by payment id, order id or processor reference, filter by
 * status and dates, a page at a time. The filters live in the address, so a view can be
 * shared and the back button works.
 */
export function PaymentsPage({ ctx, url }: { ctx: Ctx; url: URL }) {
  const { t, intl } = ctx;
  const p = url.searchParams;
  const [form, setForm] = useState({
    q: p.get('q') ?? '',
    status: p.get('status') ?? '',
    from: p.get('from') ?? '',
    to: p.get('to') ?? '',
  });
  const [list, setList] = useState<List<Payment> | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setList(null);
    setError(null);
    const q = query({
      mode: ctx.mode,
      q: p.get('q'),
      status: p.get('status'),
      from: day(p.get('from') ?? ''),
      to: day(p.get('to') ?? '', true),
      starting_after: p.get('after'),
      ending_before: p.get('before'),
      limit: 25,
    });
    api<List<Payment>>('GET', `/payments${q}`).then((a) =>
      a.ok ? setList(a.data) : setError(a.status === 0 ? t.networkError : t.somethingWrong),
    );
  }, [url.search, ctx.mode]);

  const submit = (e: Event) => {
    e.preventDefault();
    go(`/dashboard/payments${query(form)}`);
  };
  const page = (dir: 'after' | 'before', id: string) => {
    const next = new URLSearchParams(p);
    next.delete('after');
    next.delete('before');
    next.set(dir, id);
    go(`/dashboard/payments?${next}`);
  };
  const rows = list?.data ?? [];
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
        <button type="submit" class="primary">
          {t.search}
        </button>
      </form>
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
                    <span class={`pill ${r.status}`}>{t.statuses[r.status] ?? r.status}</span>
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

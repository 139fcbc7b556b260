import { minorUnitDigits, parseAmount } from '@kassa/protocol/format';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type PaymentView, query } from './api.ts';
import type { Ctx } from './ctx.ts';
import { attemptShown, money, shownStatus, when } from './format.ts';
import { useApi, usual } from './hooks/use-api.ts';
import { onLinkClick } from './router.ts';

type Action = 'refund' | 'capture' | 'cancel';

/** One payment: its amounts, what an owner may do with it, and its whole timeline. */
export function PaymentPage({ ctx, id }: { ctx: Ctx; id: string }) {
  const { t, intl } = ctx;
  const {
    data: view,
    error,
    reload: load,
  } = useApi<PaymentView>(`/payments/${id}${query({ mode: ctx.mode })}`, [id, ctx.mode], (a) =>
    a.status === 404 ? t.notFound : usual(t)(a),
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [action, setAction] = useState<Action | null>(null);

  const back = (
    <a href="/dashboard/payments" onClick={onLinkClick} class="back">
      ← {t.back}
    </a>
  );
  if (error) {
    return (
      <section>
        {back}
        <p role="alert">{error}</p>
      </section>
    );
  }
  if (!view) return <p role="status">{t.loading}</p>;
  const p = view.payment;
  const m = (n: number) => money(n, p.currency, intl);
  const refundable = p.amount_received - p.amount_refunded;
  const owner = ctx.session.user.role === 'owner';

  return (
    <section aria-labelledby="payment-title">
      {back}
      <header class="payment-head">
        <h1 id="payment-title">
          {m(p.amount)}{' '}
          <span class={`pill ${shownStatus(p)}`} data-testid="payment-status">
            {t.statuses[shownStatus(p)] ?? p.status}
          </span>
        </h1>
        <dl class="facts">
          <dt>{t.payment}</dt>
          <dd class="mono">{p.id}</dd>
          <dt>{t.order}</dt>
          <dd class="mono">{p.order_id}</dd>
          <dt>{t.received}</dt>
          <dd data-testid="received">{m(p.amount_received)}</dd>
          <dt>{t.refunded}</dt>
          <dd data-testid="refunded">{m(p.amount_refunded)}</dd>
          <dt>{t.created}</dt>
          <dd>{when(p.created, intl)}</dd>
        </dl>
      </header>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {view.events.some((e) => e.type === 'payment_intent.processor_mismatch') && (
        <p class="notice bad" role="alert" data-testid="processor-mismatch">
          {t.processorMismatch}
        </p>
      )}
      {owner ? (
        <div class="actions">
          {refundable > 0 && (
            <button type="button" class="primary" onClick={() => setAction('refund')}>
              {t.refund}
            </button>
          )}
          {p.status === 'requires_capture' && (
            <>
              <button type="button" class="primary" onClick={() => setAction('capture')}>
                {t.capture}
              </button>
              <button type="button" onClick={() => setAction('cancel')}>
                {t.release}
              </button>
            </>
          )}
        </div>
      ) : (
        <p class="hint">{t.viewerNote}</p>
      )}
      {action && (
        <Confirm
          ctx={ctx}
          action={action}
          id={p.id}
          max={refundable}
          currency={p.currency}
          amount={m(p.amount_capturable || p.amount)}
          onClose={() => setAction(null)}
          onDone={(message) => {
            setAction(null);
            setNotice(message);
            load();
          }}
        />
      )}

      <h2>{t.attempts}</h2>
      <ol class="list" data-testid="attempts">
        {view.attempts.map((a) => {
          const shown = attemptShown(a);
          return (
            <li data-attempt={shown}>
              <span class={`pill ${shown}`}>{t.attemptStatuses[shown] ?? a.status}</span>{' '}
              {a.card
                ? `${a.card.brand} •••• ${a.card.last4}`
                : (a.upi_vpa ?? t.methods[a.method] ?? a.method)}{' '}
              · {a.processor}
              {shown === 'withdrawn' ? (
                <span class="muted"> · {t.withdrawn}</span>
              ) : (
                a.decline_code && (
                  <span class="bad">
                    {' '}
                    · {t.declined(t.declineCodes[a.decline_code] ?? a.decline_code)}
                  </span>
                )
              )}
              {a.processor_reference && (
                <span class="mono small ref" title={a.processor_reference}>
                  {' '}
                  · {a.processor_reference}
                </span>
              )}
              <time> · {when(a.created, intl)}</time>
            </li>
          );
        })}
      </ol>

      {view.refunds.length > 0 && (
        <>
          <h2>{t.refunds}</h2>
          <ol class="list" data-testid="refunds">
            {view.refunds.map((r) => (
              <li>
                {m(r.amount)} ·{' '}
                <span class={`pill ${r.status}`}>{t.refundStatuses[r.status] ?? r.status}</span>
                <time> · {when(r.created, intl)}</time>
              </li>
            ))}
          </ol>
        </>
      )}

      <h2>{t.timeline}</h2>
      <ol class="timeline" data-testid="timeline">
        {view.events.map((e) => (
          <li>
            <code>{e.type}</code> <time>{when(e.created, intl)}</time>
            <ul>
              {e.deliveries.length === 0 && <li class="small">{t.noDeliveries}</li>}
              {e.deliveries.map((d) => {
                const last = d.attempts[d.attempts.length - 1];
                return (
                  <li class="small" data-delivery={d.status}>
                    {t.delivery(t.deliveryStatus[d.status] ?? d.status)}
                    {last &&
                      ` · ${last.status ?? last.error ?? '—'} · ${t.latency(last.latency_ms)}`}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A money-moving action, confirmed in a modal dialog; one idempotency key per dialog, so
 * a double click moves money once. */
function Confirm(props: {
  ctx: Ctx;
  action: Action;
  id: string;
  max: number;
  currency: string;
  amount: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { t, intl } = props.ctx;
  const ref = useRef<HTMLDialogElement>(null);
  const [key] = useState(() => `dash_${crypto.randomUUID()}`);
  const digits = minorUnitDigits(props.currency);
  const [value, setValue] = useState((props.max / 10 ** digits).toFixed(digits));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** The amount typed, in minor units, or what is wrong with it. */
  const typed = (): { minor: number } | { problem: string } => {
    if (value.trim() === '') return { problem: t.refundEnterAmount };
    const minor = parseAmount(value, props.currency);
    if (minor === null) return { problem: t.amountNotNumber };
    if (minor <= 0) return { problem: t.amountZero };
    if (minor > props.max)
      return { problem: t.amountTooHigh(money(props.max, props.currency, intl)) };
    return { minor };
  };
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    let body: unknown;
    if (props.action === 'refund') {
      const amount = typed();
      if ('problem' in amount) return setError(amount.problem);
      body = { amount: amount.minor, ...(reason && { reason }) };
    }
    setBusy(true);
    const a = await api<{ amount?: number }>(
      'POST',
      `/payments/${props.id}/${props.action === 'refund' ? 'refunds' : props.action}${query({ mode: props.ctx.mode })}`,
      body ?? {},
      { idempotencyKey: key },
    );
    setBusy(false);
    if (!a.ok) return setError(a.error.message || t.somethingWrong);
    props.onDone(
      props.action === 'refund'
        ? t.refundDone(money((body as { amount: number }).amount, props.currency, intl))
        : ((props.action === 'capture' ? t.statuses.succeeded : t.statuses.canceled) ?? ''),
    );
  };

  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onClose={props.onClose}>
      <form onSubmit={submit}>
        <h2 id="confirm-title">
          {props.action === 'refund'
            ? t.refund
            : props.action === 'capture'
              ? t.capture
              : t.release}
        </h2>
        {props.action === 'refund' ? (
          <>
            <label for="refund-amount">
              {t.refundAmount(money(props.max, props.currency, intl))}
            </label>
            <input
              id="refund-amount"
              inputMode="decimal"
              value={value}
              onInput={(e) => {
                setValue(e.currentTarget.value);
                setError(null);
              }}
              aria-invalid={error ? 'true' : 'false'}
              aria-describedby={error ? 'refund-error' : undefined}
            />
            <label for="refund-reason">{t.refundReason}</label>
            <select
              id="refund-reason"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
            >
              <option value="">—</option>
              {Object.entries(t.refundReasons).map(([k, label]) => (
                <option value={k}>{label}</option>
              ))}
            </select>
            {(() => {
              // The question names the amount as it will be refunded, or nothing yet.
              const amount = typed();
              return 'minor' in amount ? (
                <p data-testid="refund-question">
                  {t.refundConfirm(money(amount.minor, props.currency, intl))}
                </p>
              ) : null;
            })()}
          </>
        ) : (
          <p>{props.action === 'capture' ? t.captureConfirm(props.amount) : t.releaseConfirm}</p>
        )}
        {error && (
          <p class="error" role="alert" id="refund-error">
            {error}
          </p>
        )}
        <div class="choices">
          <button type="submit" class="primary" disabled={busy}>
            {t.confirm}
          </button>
          <button type="button" onClick={() => ref.current?.close()}>
            {t.cancel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

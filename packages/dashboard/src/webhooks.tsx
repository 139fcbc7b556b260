import type { WebhookDelivery, WebhookEndpoint } from '@kassa/protocol';
import { useEffect, useState } from 'preact/hooks';
import { api, query } from './api.ts';
import type { Ctx } from './ctx.ts';
import { when } from './format.ts';

type Endpoint = WebhookEndpoint;
type Delivery = WebhookDelivery;

/** An attempt's answer in a line: `503 · 12 ms`, or the error when nothing answered. */
const answer = (a: Delivery['attempts'][number]) =>
  `${a.response_status ?? a.error ?? '—'} · ${a.latency_ms} ms`;

const day = (value: string, end = false) =>
  Math.floor(new Date(`${value}T${end ? '23:59:59' : '00:00:00'}`).getTime() / 1000);
const today = () => new Date().toISOString().slice(0, 10);

/** Webhook endpoints and their delivery log: every attempt's answer and latency, a retry
 * for one delivery, and a replay of every dead one in a date range. */
export function WebhooksPage({ ctx }: { ctx: Ctx }) {
  const { t, intl } = ctx;
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A secret shown, with the endpoint it belongs to: choosing another endpoint hides it.
  const [shown, setShown] = useState<{ id: string; secret: string } | null>(null);
  const secret = shown && shown.id === selected ? shown.secret : null;
  const [range, setRange] = useState({ from: today(), to: today() });
  const owner = ctx.session.user.role === 'owner';

  useEffect(() => {
    setEndpoints(null);
    api<{ data: Endpoint[] }>('GET', `/endpoints${query({ mode: ctx.mode, limit: 100 })}`).then(
      (a) => {
        const list = a.ok ? a.data.data : [];
        setEndpoints(list);
        setSelected(list[0]?.id ?? null);
      },
    );
  }, [ctx.mode]);
  const load = () => {
    if (!selected) return;
    setDeliveries(null);
    api<{ data: Delivery[] }>(
      'GET',
      `/endpoints/${selected}/deliveries${query({ mode: ctx.mode, status: filter, limit: 50 })}`,
    ).then((a) => setDeliveries(a.ok ? a.data.data : []));
  };
  useEffect(load, [selected, filter, ctx.mode]);

  const reloadEndpoints = () =>
    api<{ data: Endpoint[] }>('GET', `/endpoints${query({ mode: ctx.mode, limit: 100 })}`).then(
      (a) => a.ok && setEndpoints(a.data.data),
    );
  const m = query({ mode: ctx.mode });
  const current = endpoints?.find((e) => e.id === selected);
  const events = (text: string) =>
    text
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  const addEndpoint = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const a = await api<Endpoint & { secret: string }>('POST', `/endpoints${m}`, {
      url: String(data.get('url') ?? ''),
      enabled_events: events(String(data.get('events') ?? '*')),
    });
    if (!a.ok) return setNotice(a.error.message || t.somethingWrong);
    form.reset();
    setShown({ id: a.data.id, secret: a.data.secret });
    setNotice(t.endpointAdded);
    await reloadEndpoints();
    setSelected(a.data.id);
  };
  const change = async (patch: Record<string, unknown>) => {
    const a = await api('PATCH', `/endpoints/${selected}${m}`, patch);
    setNotice(a.ok ? t.saved : a.error.message || t.somethingWrong);
    reloadEndpoints();
  };
  const rotate = async () => {
    const a = await api<{ secret: string }>('POST', `/endpoints/${selected}/rotate_secret${m}`, {});
    if (!a.ok) return setNotice(a.error.message || t.somethingWrong);
    if (selected) setShown({ id: selected, secret: a.data.secret });
    setNotice(t.secretRotated);
  };
  const reveal = async () => {
    const a = await api<{ secret: string }>('GET', `/endpoints/${selected}/secret${m}`);
    if (a.ok && selected) setShown({ id: selected, secret: a.data.secret });
  };

  const retry = async (id: string) => {
    const a = await api('POST', `/webhook_deliveries/${id}/retry${query({ mode: ctx.mode })}`, {});
    setNotice(a.ok ? t.retried : a.error.message || t.somethingWrong);
    load();
  };
  const replay = async (e: Event) => {
    e.preventDefault();
    const a = await api<{ replayed: number }>(
      'POST',
      `/endpoints/${selected}/replay${query({ mode: ctx.mode })}`,
      { from: day(range.from), to: day(range.to, true) },
    );
    setNotice(a.ok ? t.replayed(a.data.replayed) : a.error.message || t.somethingWrong);
    load();
  };

  if (!endpoints) return <p role="status">{t.loading}</p>;
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">{t.webhooks}</h1>
      {endpoints.length === 0 && <p>{t.noEndpoints}</p>}
      {endpoints.length > 0 && (
        <ul class="endpoints" data-testid="endpoints">
          {endpoints.map((e) => (
            <li>
              <label>
                <input
                  type="radio"
                  name="endpoint"
                  checked={selected === e.id}
                  onChange={() => setSelected(e.id)}
                />
                <span class="mono">{e.url}</span>{' '}
                <span
                  class={`pill ${e.failing ? 'failed' : e.status === 'enabled' ? 'succeeded' : 'canceled'}`}
                >
                  {e.failing ? t.failing : e.status === 'enabled' ? t.enabled : t.disabled}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {secret && (
        <p class="notice">
          {t.signingSecret}{' '}
          <code class="mono" data-testid="endpoint-secret">
            {secret}
          </code>
        </p>
      )}
      {owner && current && (
        <div class="endpoint-actions">
          <form
            class="filters"
            aria-label={t.eventsLabel}
            onSubmit={(e) => {
              e.preventDefault();
              const value = new FormData(e.currentTarget as HTMLFormElement).get('events');
              change({ enabled_events: events(String(value ?? '')) });
            }}
          >
            <label>
              {t.eventsLabel}
              <input
                name="events"
                key={current.id}
                defaultValue={current.enabled_events.join(', ')}
              />
            </label>
            <button type="submit">{t.save}</button>
          </form>
          <div class="actions">
            <button
              type="button"
              onClick={() =>
                change({ status: current.status === 'enabled' ? 'disabled' : 'enabled' })
              }
            >
              {current.status === 'enabled' ? t.disable : t.enable}
            </button>
            <button type="button" onClick={reveal}>
              {t.showSecret}
            </button>
            <button type="button" onClick={rotate}>
              {t.rotateSecret}
            </button>
          </div>
        </div>
      )}
      {owner && (
        <details class="add-endpoint">
          <summary>{t.addEndpoint}</summary>
          <form class="filters" onSubmit={addEndpoint} aria-label={t.addEndpoint}>
            <label>
              URL
              <input
                name="url"
                type="url"
                required
                placeholder="https://shop.example/webhooks/kassa"
              />
            </label>
            <label>
              {t.eventsLabel}
              <input name="events" defaultValue="payment_intent.*, refund.*" />
            </label>
            <button type="submit" class="primary">
              {t.addEndpoint}
            </button>
          </form>
        </details>
      )}
      {selected && (
        <>
          <div class="filters">
            <label>
              {t.status}
              <select value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
                <option value="">{t.any}</option>
                <option value="dead">{t.deliveryStatus.dead}</option>
                <option value="pending">{t.deliveryStatus.pending}</option>
                <option value="delivered">{t.deliveryStatus.delivered}</option>
              </select>
            </label>
            {owner && (
              <form class="replay" onSubmit={replay} aria-label={t.replayDead}>
                <label>
                  {t.from}
                  <input
                    type="date"
                    value={range.from}
                    onInput={(e) => setRange({ ...range, from: e.currentTarget.value })}
                  />
                </label>
                <label>
                  {t.to}
                  <input
                    type="date"
                    value={range.to}
                    onInput={(e) => setRange({ ...range, to: e.currentTarget.value })}
                  />
                </label>
                <button type="submit" class="primary">
                  {t.replayDead}
                </button>
              </form>
            )}
          </div>
          {!deliveries && <p role="status">{t.loading}</p>}
          {deliveries && deliveries.length === 0 && <p>{t.noDeliveriesYet}</p>}
          {deliveries && deliveries.length > 0 && (
            <div class="scroll">
              <table data-testid="deliveries">
                <thead>
                  <tr>
                    <th scope="col">{t.event}</th>
                    <th scope="col">{t.status}</th>
                    <th scope="col">{t.lastAnswer}</th>
                    <th scope="col">{t.created}</th>
                    {owner && <th scope="col">{t.retry}</th>}
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => {
                    const last = d.attempts[d.attempts.length - 1];
                    return (
                      <tr data-status={d.status}>
                        <td class="mono">{d.event_type}</td>
                        <td>
                          <span class={`pill ${d.status}`}>
                            {t.deliveryStatus[d.status] ?? d.status}
                          </span>{' '}
                          <span class="small">{t.attemptsCount(d.attempt_count)}</span>
                        </td>
                        <td class="small answers">
                          {last ? (
                            <details>
                              <summary>{answer(last)}</summary>
                              <ol data-testid="attempts">
                                {d.attempts.map((a) => (
                                  <li>
                                    {when(a.attempted_at, intl)} · {answer(a)}
                                    {a.response_body ? (
                                      <pre>{a.response_body}</pre>
                                    ) : (
                                      a.response_status !== null && (
                                        <span class="note"> · {t.noBodyKept}</span>
                                      )
                                    )}
                                  </li>
                                ))}
                              </ol>
                            </details>
                          ) : (
                            '—'
                          )}
                        </td>
                        <td>{when(d.created, intl)}</td>
                        {owner && (
                          <td>
                            {d.status !== 'pending' && (
                              <button type="button" onClick={() => retry(d.id)}>
                                {t.retry}
                              </button>
                            )}
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

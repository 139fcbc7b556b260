import type { DashboardOverview } from '@kassa/protocol/dashboard';
import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { query } from './api.ts';
import type { ChartProps } from './chart.tsx';
import type { Ctx } from './ctx.ts';
import { money, when } from './format.ts';
import { useApi, usual } from './hooks/use-api.ts';

type Overview = DashboardOverview;

const RANGES = { '1': 1, '7': 7, '30': 30, '90': 90 } as const;

/** The merchant's figures for a range: volume and payments over time, success rate,
 * decline reasons, method mix and webhook health, test and live apart. */
export function OverviewPage({ ctx }: { ctx: Ctx }) {
  const { t, intl } = ctx;
  const [days, setDays] = useState<keyof typeof RANGES>('7');
  const [Chart, setChart] = useState<ComponentType<ChartProps> | null>(null);
  const [chartError, setChartError] = useState<string | null>(null);
  const range = useMemo(() => {
    const to = Math.floor(Date.now() / 1000);
    return { from: to - RANGES[days] * 86_400 + 1, to };
  }, [days, ctx.mode]);
  const read = useApi<Overview>(
    `/overview${query({ mode: ctx.mode, ...range })}`,
    [range],
    usual(t),
  );
  const data = read.data;
  const error = read.error ?? chartError;

  useEffect(() => {
    import('./chart.tsx').then(
      (m) => setChart(() => m.default),
      () => setChartError(t.networkError),
    );
  }, []);

  const pct = (v: number | null) =>
    v === null
      ? '—'
      : new Intl.NumberFormat(intl, { style: 'percent', maximumFractionDigits: 1 }).format(v);
  const m = (v: number) => (data?.currency ? money(v, data.currency, intl) : String(v));

  return (
    <section aria-labelledby="overview-title">
      <div class="title-row">
        <h1 id="overview-title">{t.overview}</h1>
        <label>
          {t.range}{' '}
          <select
            value={days}
            onChange={(e) => setDays(e.currentTarget.value as keyof typeof RANGES)}
          >
            <option value="1">{t.lastDays(1)}</option>
            <option value="7">{t.lastDays(7)}</option>
            <option value="30">{t.lastDays(30)}</option>
            <option value="90">{t.lastDays(90)}</option>
          </select>
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      {!data && !error && <p role="status">{t.loading}</p>}
      {data && (
        <>
          <dl class="cards" data-testid="totals">
            <div>
              <dt>{t.volume}</dt>
              <dd data-testid="total-volume">{m(data.totals.volume)}</dd>
            </div>
            <div>
              <dt>{t.payments}</dt>
              <dd data-testid="total-count">{data.totals.count}</dd>
            </div>
            <div>
              <dt>{t.successRate}</dt>
              <dd data-testid="success-rate">
                {pct(data.success_rate)}{' '}
                <span class="small muted" data-testid="success-rate-base">
                  {t.ofAttempts(data.attempts)}
                </span>
              </dd>
            </div>
            <div>
              <dt>{t.webhookLatency}</dt>
              <dd data-testid="webhook-latency">
                {data.webhooks.p50_ms === null
                  ? '—'
                  : `${data.webhooks.p50_ms} / ${data.webhooks.p99_ms} ms`}
              </dd>
            </div>
            <div>
              <dt>{t.non2xx}</dt>
              <dd data-testid="non-2xx">{pct(data.webhooks.non_2xx_rate)}</dd>
            </div>
          </dl>
          <h2>{t.overTime}</h2>
          {Chart && (
            <Chart
              times={data.series.map((s) => s.start)}
              volume={data.series.map((s) => s.volume)}
              count={data.series.map((s) => s.count)}
              labels={{ volume: t.volume, count: t.payments }}
              formatVolume={m}
              hourly={data.bucket === 'hour'}
              intl={intl}
            />
          )}
          <details>
            <summary>{t.asTable}</summary>
            <div class="scroll">
              <table data-testid="series">
                <thead>
                  <tr>
                    <th scope="col">{data.bucket === 'hour' ? t.hour : t.day}</th>
                    <th scope="col">{t.volume}</th>
                    <th scope="col">{t.payments}</th>
                    <th scope="col">{t.statuses.succeeded}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.series
                    .filter((s) => s.count > 0)
                    .map((s) => (
                      <tr>
                        <td>
                          {data.bucket === 'hour'
                            ? when(s.start, intl)
                            : new Intl.DateTimeFormat(intl, { dateStyle: 'medium' }).format(
                                new Date(s.start * 1000),
                              )}
                        </td>
                        <td class="num">{m(s.volume)}</td>
                        <td class="num">{s.count}</td>
                        <td class="num">{s.succeeded}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          </details>
          <div class="two">
            <div>
              <h2>{t.declineReasons}</h2>
              <Bars
                rows={data.declines}
                label={(k) => t.declineCodes[k] ?? k}
                empty={t.none}
                testid="declines"
              />
            </div>
            <div>
              <h2>{t.methodMix}</h2>
              <Bars
                rows={data.methods}
                label={(k) => t.methods[k] ?? k}
                empty={t.none}
                testid="methods"
              />
            </div>
          </div>
        </>
      )}
    </section>
  );
}

/** A bar per key, its count and share written out. */
function Bars(props: {
  rows: { key: string; count: number }[];
  /** The key as the reader's language names it (a decline code, a method). */
  label: (key: string) => string;
  empty: string;
  testid: string;
}) {
  const total = props.rows.reduce((n, r) => n + r.count, 0);
  if (total === 0) return <p class="hint">{props.empty}</p>;
  return (
    <ul class="bars" data-testid={props.testid}>
      {props.rows.map((r) => (
        <li data-key={r.key} data-count={r.count}>
          <span title={r.key}>{props.label(r.key)}</span> <span class="num">{r.count}</span>
          <span class="bar" style={{ width: `${Math.round((r.count / total) * 100)}%` }} />
        </li>
      ))}
    </ul>
  );
}

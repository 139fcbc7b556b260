import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './routes.ts';
import { createDashboardUser } from './users.ts';

const ORIGIN = 'http://gateway.test';
const PASSWORD = 'correct horse battery';

/** A browser of one: its cookie jar is the one session cookie. */
function browser(g: TestGateway) {
  let cookie = '';
  let csrf = '';
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    /** The body exactly as sent, instead of `body` as JSON (a malformed one). */
    raw?: string,
  ) => {
    const h: Record<string, string> = { origin: ORIGIN, ...headers };
    if (cookie) h.cookie = cookie;
    if (body !== undefined || raw !== undefined) h['content-type'] = 'application/json';
    if (csrf && method !== 'GET' && !('x-csrf-token' in headers)) h['x-csrf-token'] = csrf;
    const res = await g.app.request(`/dashboard/api${path}`, {
      method,
      headers: h,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = /Max-Age=0/.test(set) ? '' : (set.split(';')[0] as string);
    // Every answer as the dashboard's OpenAPI document says.
    const text = await res.text();
    g.checkAnswer(method, `/dashboard/api${path}`, res.status, res.headers, text);
    const json = (() => {
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    })() as any;
    if (json?.csrf_token) csrf = json.csrf_token;
    return { status: res.status, json, setCookie: set, headers: res.headers };
  };
  return {
    request,
    login: (email: string, password = PASSWORD) => request('POST', '/login', { email, password }),
    get cookie() {
      return cookie;
    },
    set cookie(v: string) {
      cookie = v;
    },
    get csrf() {
      return csrf;
    },
  };
}

async function setup(opts: Parameters<typeof testGateway>[0] = {}) {
  const g = await testGateway(opts);
  await createDashboardUser(g.store, g.clock, {
    merchantId: g.a.id,
    email: 'Owner@Shop.test',
    password: PASSWORD,
  });
  await createDashboardUser(g.store, g.clock, {
    merchantId: g.a.id,
    email: 'viewer@shop.test',
    role: 'viewer',
    password: PASSWORD,
  });
  return g;
}

describe('dashboard sign-in and sessions', () => {
  it('signs in with a session cookie that is HttpOnly, SameSite=Strict and kept only as a hash', async () => {
    const g = await setup();
    const b = browser(g);
    const res = await b.login('owner@shop.test');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      user: { email: 'owner@shop.test', role: 'owner' },
      merchant: { id: g.a.id, name: 'Acme Coffee' },
    });
    expect(res.setCookie).toMatch(/^kassa_session=[\w-]{43};/);
    expect(res.setCookie).toMatch(/HttpOnly/);
    expect(res.setCookie).toMatch(/SameSite=Strict/);
    expect(res.setCookie).toMatch(/Path=\/dashboard/);
    const token = b.cookie.split('=')[1] as string;
    expect(await g.store.read((tx) => tx.sessions.get(token))).toBeNull();
    // No secret key in anything the dashboard sends.
    expect(JSON.stringify(res.json)).not.toContain('sk_');
    expect((await b.request('GET', '/session')).json.user.email).toBe('owner@shop.test');
  });

  it('others’ failed sign-ins from many addresses never lock the user out of a browser they signed in from', async () => {
    const g = await setup({ config: { trustedProxies: ['127.0.0.1', '::1'] } });
    const server = serve({ fetch: g.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const login = (from: string, password: string, cookie = '') =>
      fetch(`${base}/dashboard/api/login`, {
        method: 'POST',
        headers: {
          origin: base,
          'content-type': 'application/json',
          'x-forwarded-for': from,
          ...(cookie && { cookie }),
        },
        body: JSON.stringify({ email: 'owner@shop.test', password }),
      });
    try {
      // The owner signed in from this browser before: it keeps its device cookie.
      const first = await login('198.51.100.7', PASSWORD);
      expect(first.status).toBe(200);
      const device = (
        first.headers.getSetCookie().find((c) => c.startsWith('kassa_device=')) ?? ''
      ).split(';')[0] as string;
      expect(device).toMatch(/^kassa_device=[\w-]{43}$/);
      // An attacker guesses from 22 addresses, past the per-account limit.
      let limited = 0;
      for (let i = 0; i < 22; i++) {
        const res = await login(`203.0.113.${i + 1}`, 'wrong guess');
        if (res.status === 429) limited += 1;
      }
      expect(limited).toBeGreaterThan(0);
      // A browser the owner never used is held by the per-account limit…
      expect((await login('192.0.2.50', PASSWORD)).status).toBe(429);
      // …but the owner's own browser signs in.
      expect((await login('198.51.100.7', PASSWORD, device)).status).toBe(200);
      // A made-up device cookie is no pass.
      expect(
        (
          await login(
            '192.0.2.51',
            PASSWORD,
            'kassa_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          )
        ).status,
      ).toBe(429);
    } finally {
      server.close();
    }
  });

  it('a wrong password and an unknown email get the same answer; sign-in is rate-limited', async () => {
    const g = await setup();
    const b = browser(g);
    const wrong = await b.login('owner@shop.test', 'not the password');
    const unknown = await b.login('nobody@shop.test', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error.message).toBe(unknown.json.error.message);
    expect(wrong.setCookie).toBeNull();
    let last = 0;
    for (let i = 0; i < 10; i++) last = (await b.login('owner@shop.test', 'guess')).status;
    expect(last).toBe(429);
    // Even the right password waits for the next minute.
    expect((await b.login('owner@shop.test')).status).toBe(429);
    g.clock.advance(60_000);
    expect((await b.login('owner@shop.test')).status).toBe(200);
  });

  it('refuses a session id planted before sign-in (fixation): sign-in always makes a new one', async () => {
    const g = await setup();
    const attacker = browser(g);
    await attacker.login('viewer@shop.test');
    const planted = attacker.cookie;
    // The victim's browser carries the attacker's cookie, then signs in.
    const victim = browser(g);
    victim.cookie = planted;
    await victim.login('owner@shop.test');
    expect(victim.cookie).not.toBe(planted);
    // The planted id is dead: the attacker's browser is signed out, and never the owner.
    const after = await attacker.request('GET', '/session');
    expect(after.status).toBe(401);
    expect((await victim.request('GET', '/session')).json.user.role).toBe('owner');
  });

  it('a cookie planted for a narrower path neither opens a session nor shadows the real one', async () => {
    const g = await setup();
    const b = browser(g);
    await b.login('owner@shop.test');
    const real = b.cookie;
    b.cookie = `kassa_session=${'A'.repeat(43)}; ${real}`;
    expect((await b.request('GET', '/session')).status).toBe(200);
    b.cookie = `kassa_session=${'A'.repeat(43)}`;
    expect((await b.request('GET', '/session')).status).toBe(401);
  });

  it('refuses a change without the CSRF token, or from another origin', async () => {
    const g = await setup();
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    const b = browser(g);
    await b.login('owner@shop.test');
    const noToken = await b.request(
      'POST',
      `/payments/${pi.id}/refunds`,
      { amount: 100 },
      {
        'x-csrf-token': '',
      },
    );
    expect(noToken.status).toBe(403);
    expect(noToken.json.error.code).toBe('csrf_failed');
    const elsewhere = await b.request(
      'POST',
      `/payments/${pi.id}/refunds`,
      { amount: 100 },
      { origin: 'https://evil.example' },
    );
    expect(elsewhere.status).toBe(403);
    // A cross-site sign-in (login CSRF) is refused too.
    const crossLogin = await browser(g).request(
      'POST',
      '/login',
      { email: 'owner@shop.test', password: PASSWORD },
      { origin: 'https://evil.example' },
    );
    expect(crossLogin.status).toBe(403);
    expect((await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json.amount_refunded).toBe(
      0,
    );
  });

  it('ends a session after 30 idle minutes and after 12 hours whatever; sign out everywhere', async () => {
    const g = await setup();
    const b = browser(g);
    await b.login('owner@shop.test');
    g.clock.advance(SESSION_IDLE_MS - 1000);
    expect((await b.request('GET', '/session')).status).toBe(200);
    g.clock.advance(SESSION_IDLE_MS - 1000);
    expect((await b.request('GET', '/session')).status).toBe(200);
    g.clock.advance(SESSION_IDLE_MS + 1);
    expect((await b.request('GET', '/session')).status).toBe(401);

    const busy = browser(g);
    await busy.login('owner@shop.test');
    for (let t = 0; t < SESSION_ABSOLUTE_MS; t += 20 * 60 * 1000) {
      g.clock.advance(20 * 60 * 1000);
      if (t + 20 * 60 * 1000 < SESSION_ABSOLUTE_MS) {
        expect((await busy.request('GET', '/session')).status).toBe(200);
      }
    }
    expect((await busy.request('GET', '/session')).status).toBe(401);

    // Sessions that are over are swept by the worker.
    await g.worker.drain();
    const one = browser(g);
    const two = browser(g);
    await one.login('owner@shop.test');
    await two.login('owner@shop.test');
    expect((await one.request('POST', '/logout_everywhere')).json.signed_out).toBe(2);
    expect((await two.request('GET', '/session')).status).toBe(401);
  });
});

describe('dashboard passwords', () => {
  it('a generated password must be replaced before anything else; the change ends every other session', async () => {
    const g = await setup();
    const made = await createDashboardUser(g.store, g.clock, {
      merchantId: g.a.id,
      email: 'new@shop.test',
    });
    expect(made.generated).toBe(true);
    const b = browser(g);
    const signIn = await b.login('new@shop.test', made.password);
    expect(signIn.json.user.must_change_password).toBe(true);
    // One sign-in per generated password: a second, from anywhere, is refused.
    const other = browser(g);
    const again = await other.login('new@shop.test', made.password);
    expect([again.status, again.json.error.code]).toEqual([401, 'one_time_password_used']);
    // Nothing but the session, sign-out and the password answers yet.
    expect((await b.request('GET', '/session')).status).toBe(200);
    for (const path of ['/payments', '/overview?from=0&to=10', '/endpoints', '/developers']) {
      const refused = await b.request('GET', path);
      expect([refused.status, refused.json.error.code], path).toEqual([
        403,
        'password_change_required',
      ]);
    }
    const change = (current: string, next: string, headers?: Record<string, string>) =>
      b.request('POST', '/password', { current_password: current, new_password: next }, headers);
    const wrong = await change('not it at all', 'a brand new passphrase');
    expect([wrong.status, wrong.json.error.param]).toEqual([400, 'current_password']);
    const short = await change(made.password, 'short');
    expect([short.status, short.json.error.param]).toEqual([400, 'new_password']);
    const same = await change(made.password, made.password);
    expect([same.status, same.json.error.param]).toEqual([400, 'new_password']);
    // Without the CSRF token, nothing changes.
    expect(
      (await change(made.password, 'a brand new passphrase', { 'x-csrf-token': '' })).status,
    ).toBe(403);
    const before = b.cookie;
    const ok = await change(made.password, 'a brand new passphrase');
    expect(ok.status).toBe(200);
    expect(ok.json.user.must_change_password).toBe(false);
    // A new session for this browser; the old one, and every other, is over.
    expect(b.cookie).not.toBe(before);
    expect((await b.request('GET', '/payments')).status).toBe(200);
    expect((await other.request('GET', '/session')).status).toBe(401);
    const stale = browser(g);
    stale.cookie = before;
    expect((await stale.request('GET', '/session')).status).toBe(401);
    // Only the new password signs in now.
    expect((await browser(g).login('new@shop.test', made.password)).status).toBe(401);
    expect((await browser(g).login('new@shop.test', 'a brand new passphrase')).status).toBe(200);
  });

  it('a password chosen at creation need not be changed, but can be; the change ends every other session', async () => {
    const g = await setup();
    const b = browser(g);
    const other = browser(g);
    expect((await b.login('owner@shop.test')).json.user.must_change_password).toBe(false);
    await other.login('owner@shop.test');
    expect((await other.request('GET', '/session')).status).toBe(200);
    expect((await b.request('GET', '/payments')).status).toBe(200);
    const ok = await b.request('POST', '/password', {
      current_password: PASSWORD,
      new_password: 'another long passphrase',
    });
    expect(ok.status).toBe(200);
    expect((await b.request('GET', '/payments')).status).toBe(200);
    expect((await other.request('GET', '/session')).status).toBe(401);
  });
});

describe('dashboard payments', () => {
  it('finds a payment by order id, intent id or processor reference, and shows its timeline', async () => {
    const g = await setup();
    const pi = (await g.createIntent({ order_id: 'ORD_FIND_ME' })).json;
    await g.confirm(pi, card(CARDS.insufficient));
    await g.confirm(pi, card(CARDS.ok));
    await g.createIntent();
    const b = browser(g);
    await b.login('viewer@shop.test');
    const byOrder = await b.request('GET', '/payments?q=ORD_FIND_ME');
    expect(byOrder.json.data.map((p: { id: string }) => p.id)).toEqual([pi.id]);
    // With how it was last tried: the list's method column.
    expect(byOrder.json.data[0].payment_method).toEqual({
      type: 'card',
      card: { brand: 'visa', last4: '4242' },
      upi_vpa: null,
    });
    expect((await b.request('GET', `/payments?q=${pi.id}`)).json.data).toHaveLength(1);
    const view = (await b.request('GET', `/payments/${pi.id}`)).json;
    expect(
      view.attempts.map((a: { status: string; decline_code: string | null }) => [
        a.status,
        a.decline_code,
      ]),
    ).toEqual([
      ['failed', 'insufficient_funds'],
      ['succeeded', null],
    ]);
    const reference = view.attempts[1].processor_reference;
    expect((await b.request('GET', `/payments?q=${reference}`)).json.data[0].id).toBe(pi.id);
    expect(view.events.map((e: { type: string }) => e.type)).toEqual([
      'payment_intent.created',
      'payment_intent.payment_failed',
      'payment_intent.succeeded',
    ]);
    // Another merchant's payment is not found.
    const other = (await g.createIntent({}, g.b.sk)).json;
    expect((await b.request('GET', `/payments/${other.id}`)).status).toBe(404);
    expect((await b.request('GET', `/payments?q=${other.id}`)).json.data).toEqual([]);
    // Pages of the list, newest first, by status.
    const page = (await b.request('GET', '/payments?limit=1')).json;
    expect(page.has_more).toBe(true);
    const next = (await b.request('GET', `/payments?limit=1&starting_after=${page.data[0].id}`))
      .json;
    expect(next.data[0].id).toBe(pi.id);
    expect((await b.request('GET', '/payments?status=succeeded')).json.data).toHaveLength(1);
    // By method, currency and amount (minor units): `/v1/payment_intents`'s own filters,
    // and its 400s naming the parameter; one it does not know is refused, not ignored.
    const ids = async (q: string) =>
      (await b.request('GET', `/payments?${q}`)).json.data.map((p: { id: string }) => p.id);
    expect(await ids('payment_method_type=card')).toEqual([pi.id]);
    expect(await ids('payment_method_type=upi')).toEqual([]);
    const range = `amount[gte]=${pi.amount}&amount[lte]=${pi.amount}`;
    expect(await ids(`currency=${pi.currency}&${range}`)).toContain(pi.id);
    expect(await ids(`amount[gte]=${pi.amount + 1}`)).not.toContain(pi.id);
    const bad = await b.request('GET', '/payments?amount[gte]=-5');
    expect([bad.status, bad.json.error.param]).toEqual([400, 'amount[gte]']);
    const unknown = await b.request('GET', '/payments?method=card');
    expect([unknown.status, unknown.json.error.code, unknown.json.error.param]).toEqual([
      400,
      'parameter_unknown',
      'method',
    ]);
    const elsewhere = await b.request('GET', '/developers?mode=live&verbose=1');
    expect([elsewhere.status, elsewhere.json.error.param]).toEqual([400, 'verbose']);
  });

  it('an owner refunds part of a payment once, however often the button is pressed; a viewer cannot', async () => {
    const g = await setup();
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    const viewer = browser(g);
    await viewer.login('viewer@shop.test');
    const refused = await viewer.request(
      'POST',
      `/payments/${pi.id}/refunds`,
      { amount: 500 },
      {
        'idempotency-key': 'dash-1',
      },
    );
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');

    const owner = browser(g);
    await owner.login('owner@shop.test');
    const twice = await Promise.all(
      [1, 2].map(() =>
        owner.request(
          'POST',
          `/payments/${pi.id}/refunds`,
          { amount: 500 },
          { 'idempotency-key': 'dash-2' },
        ),
      ),
    );
    const ok = twice.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of twice) expect([201, 409]).toContain(r.status);
    const after = (await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json;
    expect(after.amount_refunded).toBe(500);
    const view = (await owner.request('GET', `/payments/${pi.id}`)).json;
    expect(view.refunds).toHaveLength(1);
    expect(view.events.map((e: { type: string }) => e.type)).toContain('refund.succeeded');
    const tooMuch = await owner.request(
      'POST',
      `/payments/${pi.id}/refunds`,
      { amount: 10_000 },
      {
        'idempotency-key': 'dash-3',
      },
    );
    expect(tooMuch.status).toBe(400);
  });
});

describe('dashboard money moves take /v1’s schemas', () => {
  it('a malformed refund body refunds nothing: 400 naming what is wrong, as /v1/refunds', async () => {
    const g = await setup();
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    const owner = browser(g);
    await owner.login('owner@shop.test');
    const bodies = [
      '{"amount": 100',
      '{"amount": 100}garbage',
      '{"amonut": 100}',
      '"100"',
      'null',
      '[100]',
      '{"amount": "100"}',
      '{"amount": -5}',
    ];
    for (const [i, raw] of bodies.entries()) {
      const res = await owner.request(
        'POST',
        `/payments/${pi.id}/refunds`,
        undefined,
        { 'idempotency-key': `dash-bad-${i}` },
        raw,
      );
      expect(res.status, raw).toBe(400);
      expect(res.json.error.code, raw).toMatch(
        /^(invalid_json|parameter_invalid|parameter_unknown)$/,
      );
    }
    const unknown = await owner.request(
      'POST',
      `/payments/${pi.id}/refunds`,
      { amonut: 100 },
      { 'idempotency-key': 'dash-u' },
    );
    expect(unknown.json.error).toMatchObject({ code: 'parameter_unknown', param: 'amonut' });
    const after = (await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json;
    expect(after.amount_refunded).toBe(0);
    // Every dashboard body is strict: an unknown field is named, nothing changes.
    const origins = await owner.request('POST', '/developers/origins', { origins: [], orign: 'x' });
    expect([origins.status, origins.json.error.param]).toEqual([400, 'orign']);
    const signIn = await browser(g).request('POST', '/login', {
      email: 'owner@shop.test',
      password: PASSWORD,
      remember: true,
    });
    expect([signIn.status, signIn.json.error.code]).toEqual([400, 'parameter_unknown']);
    // A good body still refunds, with its reason.
    const ok = await owner.request(
      'POST',
      `/payments/${pi.id}/refunds`,
      { amount: 100, reason: 'duplicate' },
      { 'idempotency-key': 'dash-ok' },
    );
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ amount: 100, reason: 'duplicate' });
  });
});

describe('dashboard overview', () => {
  it('counts volume, success rate, decline reasons and the method mix from real payments', async () => {
    const g = await setup();
    for (const number of [CARDS.ok, CARDS.ok, CARDS.insufficient, CARDS.declined]) {
      const pi = (await g.createIntent({ currency: 'inr', amount: 2500 })).json;
      await g.confirm(pi, card(number));
    }
    const b = browser(g);
    await b.login('viewer@shop.test');
    const o = (await b.request('GET', '/overview')).json;
    expect(o).toMatchObject({
      bucket: 'day',
      currency: 'INR',
      totals: { count: 4, succeeded: 2, volume: 5000 },
      success_rate: 0.5,
      attempts: 4,
      methods: [{ key: 'card', count: 2 }],
    });
    expect(o.declines.map((d: { key: string }) => d.key).sort()).toEqual([
      'generic_decline',
      'insufficient_funds',
    ]);
    expect(o.series).toHaveLength(8);
    expect(o.series.reduce((n: number, s: { count: number }) => n + s.count, 0)).toBe(4);
    // Live mode is another world.
    expect((await b.request('GET', '/overview?mode=live')).json.totals.count).toBe(0);
    const hourly = (
      await b.request('GET', `/overview?from=${Math.floor(g.clock.now() / 1000) - 3600}`)
    ).json;
    expect(hourly.bucket).toBe('hour');
    expect((await b.request('GET', '/overview?from=10&to=5')).status).toBe(400);
  });
});

describe('dashboard webhooks', () => {
  it("lists an endpoint's dead deliveries, and an owner replays a range of them to delivered", async () => {
    const { startReceiver, status } = await import('../testing/receiver.ts');
    const { testConfig } = await import('../config.ts');
    const g = await setup({
      realTime: true,
      config: { webhooks: { ...testConfig().webhooks, retrySchedule: [0, 1], timeoutMs: 2000 } },
    });
    const rx = await startReceiver(status(503));
    try {
      const ep = (await g.call('POST', '/v1/webhook_endpoints', g.a.sk, { url: rx.url })).json;
      await g.createIntent();
      await g.createIntent();
      for (const s of [0, 1.5, 3]) {
        g.clock.advance(s * 1000);
        await g.worker.drain();
      }
      const owner = browser(g);
      await owner.login('owner@shop.test');
      expect(
        (await owner.request('GET', '/endpoints')).json.data.map((e: { id: string }) => e.id),
      ).toEqual([ep.id]);
      const dead = (await owner.request('GET', `/endpoints/${ep.id}/deliveries?status=dead`)).json;
      expect(dead.data).toHaveLength(2);
      expect(
        dead.data[0].attempts.map((a: { response_status: number }) => a.response_status),
      ).toEqual([503, 503]);

      const viewer = browser(g);
      await viewer.login('viewer@shop.test');
      const now = Math.floor(g.clock.now() / 1000);
      expect(
        (await viewer.request('POST', `/endpoints/${ep.id}/replay`, { from: 0, to: now })).status,
      ).toBe(403);

      rx.answer(status(200));
      const before = rx.received.length;
      // Two replays at once (two tabs, two processes): every dead delivery is queued once.
      const replays = await Promise.all(
        [owner, owner].map((b) =>
          b.request('POST', `/endpoints/${ep.id}/replay`, { from: 0, to: now }),
        ),
      );
      expect(replays.map((r) => r.status)).toEqual([200, 200]);
      expect(replays.reduce((sum, r) => sum + r.json.replayed, 0)).toBe(2);
      await g.worker.drain();
      expect(rx.received.length - before).toBe(2);
      const after = (await owner.request('GET', `/endpoints/${ep.id}/deliveries`)).json.data;
      expect(after.map((d: { status: string }) => d.status)).toEqual(['delivered', 'delivered']);
      // Nothing dead is left to replay.
      expect(
        (await owner.request('POST', `/endpoints/${ep.id}/replay`, { from: 0, to: now })).json
          .replayed,
      ).toBe(0);
    } finally {
      await g.worker.stop();
      await rx.close();
    }
  });
});

describe('dashboard developers', () => {
  it('rolls the secret key: the new one is shown once, the old one works for 24 hours more', async () => {
    const g = await setup();
    const viewer = browser(g);
    await viewer.login('viewer@shop.test');
    expect((await viewer.request('POST', '/developers/roll_secret', {})).status).toBe(403);
    const owner = browser(g);
    await owner.login('owner@shop.test');
    const before = (await owner.request('GET', '/developers')).json;
    expect(before.publishable_key).toBe(g.a.pk);
    expect(before.secret_keys).toEqual([
      expect.objectContaining({ last4: g.a.sk.slice(-4), expires_at: null }),
    ]);
    const rolled = (await owner.request('POST', '/developers/roll_secret', {})).json;
    expect(rolled.secret_key).toMatch(/^sk_test_/);
    const list = (sk: string) => g.call('GET', '/v1/payment_intents', sk);
    expect((await list(rolled.secret_key)).status).toBe(200);
    expect((await list(g.a.sk)).status).toBe(200);
    const after = (await owner.request('GET', '/developers')).json;
    expect(after.secret_keys).toHaveLength(2);
    expect(JSON.stringify(after)).not.toContain(rolled.secret_key);
    g.clock.advance(24 * 60 * 60 * 1000 + 1);
    expect((await list(g.a.sk)).status).toBe(401);
    expect((await list(rolled.secret_key)).status).toBe(200);
  });

  it('sets the origins checkout.js may run on, each checked', async () => {
    const g = await setup();
    const owner = browser(g);
    await owner.login('owner@shop.test');
    const bad = await owner.request('POST', '/developers/origins', {
      origins: ['https://shop.example/path'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('origins');
    const ok = await owner.request('POST', '/developers/origins', {
      origins: ['https://shop.example', 'https://shop.example', 'http://localhost:3000'],
    });
    expect(ok.json.allowed_origins).toEqual(['https://shop.example', 'http://localhost:3000']);
    expect((await g.store.read((tx) => tx.merchants.get(g.a.id)))?.allowedOrigins).toEqual([
      'https://shop.example',
      'http://localhost:3000',
    ]);
  });

  it('an owner runs a reconciliation for a day; a viewer cannot run one but downloads it as CSV', async () => {
    const g = await setup();
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    const day = new Date(g.clock.now()).toISOString().slice(0, 10);
    const viewer = browser(g);
    await viewer.login('viewer@shop.test');
    const refused = await viewer.request('POST', '/reconciliation_runs', { date: day });
    expect([refused.status, refused.json.error.code]).toEqual([403, 'forbidden']);
    const b = browser(g);
    await b.login('owner@shop.test');
    const run = await b.request('POST', '/reconciliation_runs', { date: day });
    expect(run.status).toBe(201);
    const csv = await g.app.request(`/dashboard/api/reconciliation_runs/${run.json.id}/csv`, {
      headers: { cookie: viewer.cookie },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain(pi.id);
  });
});

describe('dashboard webhook endpoints', () => {
  it('an owner adds an endpoint, changes its events, disables it, rotates and shows its secret; a viewer only reads', async () => {
    const g = await setup();
    const owner = browser(g);
    await owner.login('owner@shop.test');
    const created = await owner.request('POST', '/endpoints', {
      url: 'http://127.0.0.1:9/hooks',
      enabled_events: ['payment_intent.*'],
    });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_/);
    const id = created.json.id;
    const changed = await owner.request('PATCH', `/endpoints/${id}`, {
      enabled_events: ['refund.*'],
      status: 'disabled',
    });
    expect(changed.json).toMatchObject({ enabled_events: ['refund.*'], status: 'disabled' });
    const rotated = await owner.request('POST', `/endpoints/${id}/rotate_secret`, {});
    expect(rotated.json.secret).not.toBe(created.json.secret);
    expect((await owner.request('GET', `/endpoints/${id}/secret`)).json.secret).toBe(
      rotated.json.secret,
    );

    const viewer = browser(g);
    await viewer.login('viewer@shop.test');
    expect((await viewer.request('GET', '/endpoints')).json.data[0].id).toBe(id);
    expect((await viewer.request('GET', `/endpoints/${id}/secret`)).status).toBe(403);
    expect((await viewer.request('PATCH', `/endpoints/${id}`, { status: 'enabled' })).status).toBe(
      403,
    );
    expect(
      (await viewer.request('POST', '/endpoints', { url: 'http://127.0.0.1:9/h' })).status,
    ).toBe(403);
  });
});

describe('answers that carry secrets', () => {
  it('are never cached: Cache-Control no-store on the API and the dashboard API', async () => {
    const g = await setup();
    const owner = browser(g);
    await owner.login('owner@shop.test');
    const rolled = await owner.request('POST', '/developers/roll_secret', {});
    expect(rolled.status).toBe(200);
    expect(rolled.headers.get('cache-control')).toBe('no-store');
    const created = await g.app.request('/v1/webhook_endpoints', {
      method: 'POST',
      headers: { authorization: `Bearer ${g.a.sk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', enabled_events: ['*'] }),
    });
    expect(created.headers.get('cache-control')).toBe('no-store');
    const intent = await g.app.request('/v1/payment_intents?limit=1', {
      headers: { authorization: `Bearer ${g.a.sk}` },
    });
    expect(intent.headers.get('cache-control')).toBe('no-store');
  });
});

describe('dashboard keys', () => {
  it('an owner expires a rolled key and the current one now; both answer 401 at once, the new one works', async () => {
    const g = await setup();
    const owner = browser(g);
    await owner.login('owner@shop.test');
    const original = g.a.sk;
    const rolled = await owner.request('POST', '/developers/roll_secret', {});
    const second = rolled.json.secret_key as string;
    // Rolled: the original still works for its grace period…
    expect((await g.call('GET', '/v1/payment_intents', original)).status).toBe(200);
    // …until expired now.
    const ended = await owner.request('POST', '/developers/expire_secret', {
      last4: original.slice(-4),
    });
    expect(ended.json).toEqual({ expired: 1, secret_key: null });
    expect((await g.call('GET', '/v1/payment_intents', original)).status).toBe(401);
    // The current key, leaked: ended now, a new one given once.
    const current = await owner.request('POST', '/developers/expire_secret', {
      last4: second.slice(-4),
    });
    expect(current.json.expired).toBe(1);
    const third = current.json.secret_key as string;
    expect(third).toMatch(/^sk_test_/);
    expect((await g.call('GET', '/v1/payment_intents', second)).status).toBe(401);
    expect((await g.call('GET', '/v1/payment_intents', third)).status).toBe(200);
    // Each roll and expiry is a stored event (the audit trail), with who did it and never
    // a key; `/v1/events` lists them, and endpoints that want `api_key.*` receive them.
    const audit = await g.call('GET', '/v1/events?type=api_key.*', third);
    expect(
      audit.json.data.map((e: { type: string; data: { object: { last4: string } } }) => [
        e.type,
        e.data.object.last4,
      ]),
    ).toEqual([
      ['api_key.expired', second.slice(-4)],
      ['api_key.expired', original.slice(-4)],
      ['api_key.rolled', original.slice(-4)],
    ]);
    expect(audit.json.data[0].data.object.changed_by).toBe('dashboard:owner@shop.test');
    const stored = JSON.stringify(audit.json) + g.logLines.join('');
    for (const key of [original, second, third]) expect(stored).not.toContain(key);
    // A viewer cannot, and a key that is not there is a 404 naming it.
    const viewer = browser(g);
    await viewer.login('viewer@shop.test');
    expect(
      (await viewer.request('POST', '/developers/expire_secret', { last4: third.slice(-4) }))
        .status,
    ).toBe(403);
    const none = await owner.request('POST', '/developers/expire_secret', { last4: 'zzzz' });
    expect([none.status, none.json.error.param]).toEqual([404, 'last4']);
  });
});

describe('dashboard cookies over https', () => {
  it('are __Host- cookies that other apps on the host cannot plant or clear', async () => {
    const g = await setup({ config: { publicUrl: 'https://gateway.test' } });
    const origin = 'https://gateway.test';
    const login = await g.app.request('https://gateway.test/dashboard/api/login', {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@shop.test', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const set = login.headers.getSetCookie();
    const session = set.find((c) => c.startsWith('__Host-kassa_session=')) as string;
    expect(session).toMatch(/; Path=\/(;|$)/);
    expect(session).toContain('Secure');
    expect(session).toContain('HttpOnly');
    expect(session).not.toContain('Domain');
    expect(set.some((c) => c.startsWith('__Host-kassa_device='))).toBe(true);
    const real = session.split(';')[0] as string;
    // A plain `kassa_session` planted by another app on the host is not even read.
    const planted = `kassa_session=${'A'.repeat(43)}`;
    const res = await g.app.request('https://gateway.test/dashboard/api/session', {
      headers: { cookie: `${planted}; ${real}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

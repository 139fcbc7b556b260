import { createGateway } from '../app.ts';
import { systemClock } from '../clock.ts';
import { testConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { contractChecker } from './contract.ts';

/** Gateways in other processes whose answers `fetch` checks, by base URL. */
const checked = new Set<string>();
let check: ReturnType<typeof contractChecker> | undefined;

/** The documents a gateway serves (`kassa openapi`, and `--dashboard`), built in-process:
 * they depend only on the routes. */
function checker() {
  if (!check) {
    const gateway = createGateway({
      store: createSqliteStore({ filename: ':memory:' }),
      processors: {},
      clock: systemClock,
      config: testConfig(),
      logger: createLogger({ level: 'silent' }),
    });
    check = contractChecker(gateway.spec(), gateway.dashboardSpec());
  }
  return check;
}

const urlOf = (input: Parameters<typeof fetch>[0]) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

/**
 * From now on every answer `fetch` gets from the gateway at `base` (one spawned as its
 * own process) is checked against the OpenAPI documents, as in-process test requests are
 * (`testGateway().call`): a route the documents do not have, a status they do not list
 * for it, or a JSON body that does not match fails the request with the difference. Event
 * streams are checked by status only (they do not end).
 */
export function checkAnswersOf(base: string) {
  checked.add(base);
  const original = globalThis.fetch;
  if ((original as { kassaChecked?: boolean }).kassaChecked) return;
  const checkedFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const res = await original(input, init);
    const url = urlOf(input);
    if (![...checked].some((b) => url === b || url.startsWith(`${b}/`))) return res;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const type = res.headers.get('content-type') ?? '';
    const text = type.includes('json') ? await res.clone().text() : '';
    checker()(method, url, res.status, res.headers, text);
    return res;
  };
  Object.assign(checkedFetch, { kassaChecked: true });
  globalThis.fetch = checkedFetch as typeof fetch;
}

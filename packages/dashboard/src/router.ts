import { useEffect, useState } from 'preact/hooks';

/** The dashboard's own routes, under /dashboard, with the browser's history. */
export function go(path: string) {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(location.href));
  useEffect(() => {
    const on = () => setUrl(new URL(location.href));
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return url;
}

/** A real link (opens in a new tab with a middle click) that routes in place on a click. */
export function onLinkClick(e: MouseEvent) {
  const a = (e.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  e.preventDefault();
  go(a.getAttribute('href') as string);
}

/** The dashboard's pages, each with the address it lives at. */
export type Route =
  | { page: 'overview' | 'payments' | 'webhooks' | 'developers' | 'password' }
  | { page: 'payment'; id: string };

const ROUTES: [RegExp, Route['page']][] = [
  [/^\/dashboard$/, 'overview'],
  [/^\/dashboard\/payments$/, 'payments'],
  [/^\/dashboard\/payments\/([\w-]+)$/, 'payment'],
  [/^\/dashboard\/webhooks$/, 'webhooks'],
  [/^\/dashboard\/developers$/, 'developers'],
  [/^\/dashboard\/password$/, 'password'],
];

/** The page an address shows; anything unknown under /dashboard shows the overview. */
export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/$/, '');
  for (const [pattern, page] of ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    return page === 'payment' ? { page, id: m[1] as string } : { page };
  }
  return { page: 'overview' };
}

import type { Context } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import type { RouterRoute } from 'hono/types';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './env.ts';
import { renderError } from './on-error.ts';

/**
 * What a request that no route answered gets: 405 with `Allow` when the path exists for
 * other methods, 404 `route_not_found` otherwise. Routes are read on the first miss,
 * once every route is registered; `ALL` routes (middleware) say nothing about methods.
 */
export function unmatchedRoute(routes: () => RouterRoute[]) {
  let router: TrieRouter<string> | undefined;
  const methodsFor = (path: string) => {
    if (!router) {
      router = new TrieRouter<string>();
      for (const r of routes()) if (r.method !== 'ALL') router.add('ANY', r.path, r.method);
    }
    const [matches] = router.match('ANY', path);
    const methods = new Set(matches.map(([method]) => method as string));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
  return (c: Context<AppEnv>) => {
    const allow = methodsFor(c.req.path);
    if (allow.length > 0 && !allow.includes(c.req.method)) {
      c.header('Allow', allow.join(', '));
      return renderError(
        c,
        new ApiError(
          405,
          'method_not_allowed',
          `${c.req.method} is not allowed on ${c.req.path}; it answers ${allow.join(', ')}.`,
        ),
      );
    }
    return renderError(
      c,
      new ApiError(
        404,
        'route_not_found',
        `Unrecognized request URL (${c.req.method}: ${c.req.path}).`,
      ),
    );
  };
}

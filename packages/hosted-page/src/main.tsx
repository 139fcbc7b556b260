import { render } from 'preact';
import { App } from './app.tsx';
import { localeOf } from './i18n.ts';
import { createParent } from './parent.ts';

// /pay/<id>?embed=1&parent=<origin>&theme=<hex>&locale=<en|hi>#<client secret>
const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
// Back from a payment app on a full page, the secret waits in this tab's session storage.
const secret =
  decodeURIComponent(location.hash.slice(1)) || sessionStorage.getItem(`kassa:${id}`) || '';
const q = new URLSearchParams(location.search);
// English comes with the page; another language is its own small chunk, asked for first.
const { strings, intl, lang } = await localeOf(q.get('locale'));
document.documentElement.lang = lang;
document.title = strings.title;
const theme = q.get('theme');
if (theme && /^#[0-9a-f]{3,8}$/i.test(theme))
  document.documentElement.style.setProperty('--accent', theme);
const parentOrigin = q.get('parent');

render(
  <App
    boot={{
      id,
      secret,
      t: strings,
      intl,
      parentOrigin,
      makeParent: (allowed) => createParent(parentOrigin, allowed),
      lang,
      accent: theme && /^#[0-9a-f]{3,8}$/i.test(theme) ? theme : null,
      autoClose: !!Number(q.get('autoclose')),
    }}
  />,
  document.getElementById('app') as HTMLElement,
);

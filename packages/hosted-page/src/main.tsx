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
const theme = q.get('theme');
const accent = theme && /^#[0-9a-f]{3,8}$/i.test(theme) ? theme : null;
if (accent) document.documentElement.style.setProperty('--accent', accent);
const parentOrigin = q.get('parent');

// English comes with the page; another language is its own small chunk, asked for first.
// Not a top-level await: that chunk imports from this one, which must finish first.
void localeOf(q.get('locale')).then(({ strings, intl, lang }) => {
  document.documentElement.lang = lang;
  document.title = strings.title;
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
        accent,
        autoClose: !!Number(q.get('autoclose')),
      }}
    />,
    document.getElementById('app') as HTMLElement,
  );
});

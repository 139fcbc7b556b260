import { encode } from 'uqr';
import type { Strings } from './i18n.ts';
import type { Platform } from './platform.ts';

/**
 * The main UPI apps: Android opens one by its package (an intent link, the app chooser if
 * it is not installed falls back to the Play Store), iOS by the app's own scheme.
 */
const APPS: readonly { name: string; android: string; ios: string | null }[] = [
  { name: 'Google Pay', android: 'com.google.android.apps.nbu.paisa.user', ios: 'gpay://upi/' },
  { name: 'PhonePe', android: 'com.phonepe.app', ios: 'phonepe://' },
  { name: 'Paytm', android: 'net.one97.paytm', ios: 'paytmmp://' },
  { name: 'BHIM', android: 'in.org.npci.upiapp', ios: null },
];

/** Links that open `upi` (a `upi://pay?…` link) in each app, then any UPI app. */
export function appLinks(
  upi: string,
  platform: Exclude<Platform, 'desktop'>,
  other: string,
): { name: string; href: string }[] {
  const query = upi.slice(upi.indexOf('?'));
  const apps = APPS.flatMap((a) => {
    if (platform === 'android') {
      return [
        { name: a.name, href: `intent://pay${query}#Intent;scheme=upi;package=${a.android};end` },
      ];
    }
    return a.ios ? [{ name: a.name, href: `${a.ios}pay${query}` }] : [];
  });
  return [...apps, { name: other, href: upi }];
}

/** The QR code's dark modules as one SVG path: no markup from strings, no canvas. */
function qrPath(text: string): { d: string; size: number } {
  const { data } = encode(text, { ecc: 'M', border: 2 });
  const size = data.length;
  let d = '';
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  return { d, size };
}

/**
 * Paying in the shopper's own UPI app: on a computer a QR code of the payment link to scan
 * with a phone, on a phone a list of apps that open with the payment filled in. Loaded
 * only for this screen, so the card path does not carry the QR encoder.
 */
export default function UpiApp(props: {
  t: Strings;
  link: string;
  amount: string;
  platform: Platform;
}) {
  const { t, link, platform } = props;
  if (platform === 'desktop') {
    const qr = qrPath(link);
    return (
      <div class="upi-qr">
        <p>{t.upiScan(props.amount)}</p>
        <svg
          role="img"
          aria-label={t.upiQrLabel}
          viewBox={`0 0 ${qr.size} ${qr.size}`}
          width="200"
          height="200"
          shape-rendering="crispEdges"
          data-testid="upi-qr"
          data-link={link}
        >
          <rect width={qr.size} height={qr.size} fill="#fff" />
          <path d={qr.d} fill="#000" />
        </svg>
      </div>
    );
  }
  return (
    <div class="upi-apps">
      <p>{t.upiChooseApp(props.amount)}</p>
      <ul data-testid="upi-apps">
        {appLinks(link, platform, t.upiOtherApp).map((a) => (
          <li>
            <a class="app-link" href={a.href}>
              {a.name}
            </a>
          </li>
        ))}
      </ul>
      <p class="hint">{t.upiAppHint}</p>
    </div>
  );
}

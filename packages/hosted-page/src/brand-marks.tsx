import type { JSX } from 'preact';

/** Small marks of the card networks (drawn here, a few hundred bytes; no image files). */
const box = (fill: string, children: JSX.Element | JSX.Element[], stroke?: string) => (
  <svg viewBox="0 0 32 20" width="32" height="20" aria-hidden="true">
    <rect x=".5" y=".5" width="31" height="19" rx="3" fill={fill} stroke={stroke ?? fill} />
    {children}
  </svg>
);
const word = (text: string, fill: string, size = 8, italic = false) => (
  <text
    x="16"
    y="13.5"
    text-anchor="middle"
    font-family="Arial,Helvetica,sans-serif"
    font-weight="700"
    font-style={italic ? 'italic' : 'normal'}
    font-size={size}
    fill={fill}
  >
    {text}
  </text>
);

const MARKS: Record<string, () => JSX.Element> = {
  visa: () => box('#1a1f71', word('VISA', '#fff', 9, true)),
  mastercard: () =>
    box(
      '#fff',
      [
        <circle cx="13" cy="10" r="6" fill="#eb001b" />,
        <circle cx="19" cy="10" r="6" fill="#f79e1b" fill-opacity=".85" />,
      ],
      '#d9d9d9',
    ),
  amex: () => box('#2e77bc', word('AMEX', '#fff', 7.5)),
  rupay: () => box('#fff', word('RuPay', '#0d6e3b', 7.5, true), '#d9d9d9'),
  discover: () => box('#fff', word('DISC', '#e55c20', 7.5), '#d9d9d9'),
};

/** The networks taken, while no number is typed; then the one the number belongs to. */
export function BrandMarks(props: { brand: string; empty: boolean }) {
  const shown = props.empty
    ? ['visa', 'mastercard', 'amex', 'rupay']
    : MARKS[props.brand]
      ? [props.brand]
      : [];
  return (
    <span class="marks" aria-hidden="true" data-testid="brand-marks" data-shown={shown.join(' ')}>
      {shown.map((b) => (MARKS[b] as () => JSX.Element)())}
    </span>
  );
}

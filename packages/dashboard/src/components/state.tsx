/** Where a read stands: what went wrong (an alert), loading, or nothing to show. */
export function LoadState(props: {
  error: string | null;
  loading: boolean;
  empty: boolean;
  t: { loading: string };
  emptyText: string;
}) {
  if (props.error) return <p role="alert">{props.error}</p>;
  if (props.loading) return <p role="status">{props.t.loading}</p>;
  if (props.empty) return <p role="status">{props.emptyText}</p>;
  return null;
}

/** A status as a coloured pill, in the page's language. */
export function Pill(props: { status: string; label: string }) {
  return <span class={`pill ${props.status}`}>{props.label}</span>;
}

/** Newer and older, for a list read a page at a time (hooks/use-page.ts). */
export function Pager(props: {
  label: string;
  newer: (() => void) | null;
  older: (() => void) | null;
  t: { newer: string; older: string };
}) {
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" disabled={!props.newer} onClick={() => props.newer?.()}>
        {props.t.newer}
      </button>
      <button type="button" disabled={!props.older} onClick={() => props.older?.()}>
        {props.t.older}
      </button>
    </nav>
  );
}

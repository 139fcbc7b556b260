import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A form of filters: the search field always shown; the filters themselves fold away
 * behind one button on a phone (open when any is set), so the results come first. On a
 * wide screen they are always shown (styles.css).
 */
export function Filters(props: {
  label: string;
  onSubmit: (e: Event) => void;
  search: ComponentChildren;
  /** How many filters are set: the button says so, and they start open when any is. */
  active: number;
  t: { filters: (n: number) => string; search: string };
  children: ComponentChildren;
}) {
  const [open, setOpen] = useState(props.active > 0);
  return (
    <form class="filters" onSubmit={props.onSubmit} aria-label={props.label}>
      {props.search}
      <button
        type="button"
        class="filters-toggle"
        aria-expanded={open}
        aria-controls="filter-fields"
        onClick={() => setOpen(!open)}
      >
        {props.t.filters(props.active)}
      </button>
      <div id="filter-fields" class={`filter-fields${open ? ' open' : ''}`}>
        {props.children}
      </div>
      <button type="submit" class="primary">
        {props.t.search}
      </button>
    </form>
  );
}

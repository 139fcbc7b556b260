import type { ComponentChildren } from 'preact';

export interface Column<T> {
  head: string;
  cell: (row: T) => ComponentChildren;
  /** The cell's class (`num`, `mono`). */
  class?: string;
  /** A test id on each cell of the column. */
  testid?: string;
}

/** A table of rows, one column definition each, scrolling sideways on a narrow screen. */
export function Table<T>(props: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  testid?: string;
}) {
  return (
    <div class="scroll">
      <table data-testid={props.testid}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col">{c.head}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              {props.columns.map((c) => (
                <td class={c.class} data-testid={c.testid}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { Filters } from './filters.tsx';
import { Pager } from './pager.tsx';
import { LoadState, Pill } from './state.tsx';
import { Table } from './table.tsx';

const t = { loading: 'Loading…', newer: 'Newer', older: 'Older', search: 'Search' };

describe('the dashboard components', () => {
  it('a table has a column head per column and a cell per row and column', () => {
    const html = render(
      <Table
        testid="list"
        rows={[
          { id: 'pi_1', amount: 100 },
          { id: 'pi_2', amount: 250 },
        ]}
        columns={[
          { head: 'Payment', cell: (r) => r.id, class: 'mono' },
          { head: 'Amount', cell: (r) => String(r.amount), class: 'num', testid: 'amount' },
        ]}
      />,
    );
    expect(html.match(/<th scope="col">/g)).toHaveLength(2);
    expect(html.match(/<tr>/g)).toHaveLength(3);
    expect(html).toContain('<td class="mono">pi_2</td>');
    expect(html).toContain('<td class="num" data-testid="amount">250</td>');
  });

  it('a read says what went wrong before anything else, then that it loads, then that it is empty', () => {
    const state = (error: string | null, loading: boolean, empty: boolean) =>
      render(
        <LoadState error={error} loading={loading} empty={empty} t={t} emptyText="Nothing yet" />,
      );
    expect(state('Network down', true, true)).toBe('<p role="alert">Network down</p>');
    expect(state(null, true, true)).toBe('<p role="status">Loading…</p>');
    expect(state(null, false, true)).toBe('<p role="status">Nothing yet</p>');
    expect(state(null, false, false)).toBe('');
  });

  it('a status pill carries the status as its class and the words of the page', () => {
    expect(render(<Pill status="succeeded" label="सफल" />)).toBe(
      '<span class="pill succeeded">सफल</span>',
    );
  });

  it('the pager disables the way it cannot move', () => {
    const html = render(<Pager label="Pages" newer={null} older={() => {}} t={t} />);
    expect(html).toMatch(/<button type="button" disabled[^>]*>Newer/);
    expect(html).not.toMatch(/disabled[^>]*>Older/);
  });

  it('filters start folded when none is set and open when one is, saying how many', () => {
    const filters = (active: number) =>
      render(
        <Filters
          label="Filter payments"
          onSubmit={() => {}}
          search={<input name="q" />}
          active={active}
          t={{ ...t, filters: (n) => (n ? `Filters (${n})` : 'Filters') }}
        >
          <select name="status" />
        </Filters>,
      );
    expect(filters(0)).toContain('aria-expanded="false"');
    expect(filters(0)).toContain('class="filter-fields"');
    expect(filters(2)).toContain('aria-expanded="true"');
    expect(filters(2)).toContain('class="filter-fields open"');
    expect(filters(2)).toContain('Filters (2)');
  });
});

/**
 * SQL as text with `?` placeholders and its values beside it: written once for both
 * dialects (PostgreSQL's executor numbers the placeholders). A value that is itself an
 * `Sql` is spliced in with its own values, so conditions compose.
 *
 * @example
 * const where = sql.and([sql`merchant_id = ${id}`, status ? sql`status = ${status}` : undefined]);
 * ex.all(...sql`SELECT * FROM payment_intents WHERE ${where}`.args);
 */
export class Sql {
  constructor(
    readonly text: string,
    readonly params: readonly unknown[],
  ) {}
  /** What an executor's `all`/`run` take. */
  get args(): [string, readonly unknown[]] {
    return [this.text, this.params];
  }
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = strings[0] as string;
  const params: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof Sql) {
      text += v.text;
      params.push(...v.params);
    } else {
      text += '?';
      params.push(v);
    }
    text += strings[i + 1] as string;
  }
  return new Sql(text, params);
}

/** Text put in as it is: identifiers and fixed fragments only, never a value. */
sql.raw = (text: string) => new Sql(text, []);

sql.join = (parts: readonly Sql[], separator: string): Sql =>
  new Sql(
    parts.map((p) => p.text).join(separator),
    parts.flatMap((p) => p.params),
  );

/** The conditions given, ANDed; `1 = 1` when there are none. */
sql.and = (conditions: readonly (Sql | undefined | null | false | '' | 0)[]): Sql => {
  const present = conditions.filter((c): c is Sql => c instanceof Sql);
  return present.length === 0
    ? sql.raw('1 = 1')
    : sql.join(
        present.map((c) => (present.length > 1 ? new Sql(`(${c.text})`, c.params) : c)),
        ' AND ',
      );
};

/** `?` placeholders as PostgreSQL's `$1, $2, …` (none sits inside a quoted literal). */
export function numbered(text: string): string {
  let n = 0;
  let out = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

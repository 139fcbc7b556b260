/** A page of its own: a title, what it means, and what comes next. */
export function Screen(props: {
  title: string;
  body: string;
  ok?: boolean;
  role?: 'alert' | 'status';
  extra?: string;
  detail?: string;
}) {
  return (
    <section class={`screen${props.ok ? ' ok' : ''}`} role={props.role} data-testid="screen">
      <h1>{props.title}</h1>
      {props.body && <p>{props.body}</p>}
      {props.detail && <p class="detail">{props.detail}</p>}
      {props.extra && <p>{props.extra}</p>}
    </section>
  );
}

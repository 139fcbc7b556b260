import type { PageIntent } from '../api.ts';
import type { Strings } from '../i18n.ts';
import { failureText } from '../payment/text.ts';
import { Screen } from './screen.tsx';

/** Paid (or held for capture): what, to whom, the reference, and what happens next. */
export function Success(props: {
  intent: PageIntent;
  amount: string;
  t: Strings;
  embedded: boolean;
  autoClose: boolean;
}) {
  const { intent, t } = props;
  const next = props.embedded
    ? props.autoClose
      ? t.closingSoon
      : t.closeHint
    : intent.return_url
      ? t.returning
      : t.closeHint;
  return (
    <Screen
      title={t.success}
      body={t.successBody(props.amount, intent.merchant.name)}
      ok
      detail={t.reference(intent.result?.order_id ?? intent.id)}
      extra={next}
    />
  );
}

/** Over without a payment: expired, canceled, or out of attempts. */
export function Failed(props: { intent: PageIntent; t: Strings }) {
  return <Screen title={props.t.failed} body={failureText(props.intent, props.t)} role="alert" />;
}

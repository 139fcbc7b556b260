import { intentIs } from '@kassa/protocol/intent-status';
import { getIntent, intentUrl, type PageIntent } from './api.ts';

/**
 * Follows an intent until it leaves `processing`/`requires_action`: Server-Sent Events
 * first, polling every 2 s when the stream fails. Returns a stop function.
 */
export function watchIntent(
  id: string,
  secret: string,
  onChange: (i: PageIntent) => void,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let source: EventSource | undefined;
  const deliver = (intent: PageIntent) => {
    if (stopped) return;
    onChange(intent);
    if (!intentIs.waiting(intent.status)) stop();
  };
  const poll = async () => {
    if (stopped) return;
    const a = await getIntent(id, secret);
    if (a.ok) deliver(a.intent);
    if (!stopped) timer = setTimeout(poll, 2000);
  };
  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };
  if (typeof EventSource === 'function') {
    const [path, query] = intentUrl(id, secret).split('?');
    source = new EventSource(`${path}/events?${query}`);
    source.addEventListener('payment_intent', (e) => deliver(JSON.parse((e as MessageEvent).data)));
    source.onerror = () => {
      source?.close();
      if (!stopped) void poll();
    };
  } else {
    void poll();
  }
  return stop;
}

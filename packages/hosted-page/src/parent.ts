import {
  type HostedPageMessage,
  isKassaMessage,
  MESSAGE_SOURCE,
  MESSAGE_VERSION,
  type ParentMessage,
} from '@kassa/protocol/messages';

type Body<T> = T extends HostedPageMessage ? Omit<T, 'source' | 'version'> : never;

/**
 * Talks to checkout.js on the merchant's page: only when framed, only to the exact
 * parent origin, and only if the merchant allows that origin. Never to "*".
 */
export function createParent(parentOrigin: string | null, allowed: readonly string[]) {
  const framed = window.parent !== window;
  const ok = framed && !!parentOrigin && allowed.includes(parentOrigin);
  return {
    embedded: ok,
    post(message: Body<HostedPageMessage>) {
      if (!ok || !parentOrigin) return;
      window.parent.postMessage(
        { source: MESSAGE_SOURCE, version: MESSAGE_VERSION, ...message },
        parentOrigin,
      );
    },
    /** Hears checkout.js, on the same terms: only from the allowed parent. Returns a stop. */
    listen(handler: (message: ParentMessage) => void): () => void {
      const onMessage = (e: MessageEvent) => {
        if (ok && e.source === window.parent && e.origin === parentOrigin && isKassaMessage(e.data))
          handler(e.data as ParentMessage);
      };
      addEventListener('message', onMessage);
      return () => removeEventListener('message', onMessage);
    },
  };
}

export type Parent = ReturnType<typeof createParent>;

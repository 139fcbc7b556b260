import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver answers a request with; the default is 200. */
export type Responder = (req: Received, n: number, res: ServerResponse) => void | Promise<void>;

/**
 * A webhook receiver on 127.0.0.1 and a free port. It records every request and answers
 * with `respond` (which may hold a response open to play a slow endpoint).
 */
export async function startReceiver(respond: Responder = (_r, _n, res) => void res.end('ok')) {
  const received: Received[] = [];
  const state = { respond };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const r = { headers: req.headers, body, at: Date.now() };
      received.push(r);
      void state.respond(r, received.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    /** Changes how later requests are answered. */
    answer(fn: Responder) {
      state.respond = fn;
    },
    events: () =>
      received.map(
        (r) => JSON.parse(r.body) as { id: string; type: string; data: { object: any } },
      ),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export const status =
  (code: number, headers: Record<string, string> = {}): Responder =>
  (_r, _n, res) => {
    res.writeHead(code, headers);
    res.end(`status ${code}`);
  };

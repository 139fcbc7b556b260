// protocol runs in Node and in browsers, so it sees neither's globals (no `types:
// ["node"]`, no DOM lib): only the one platform API it uses, Web Crypto's CSPRNG, which
// both have.
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };

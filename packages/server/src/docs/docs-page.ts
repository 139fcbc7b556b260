type Doc = {
  info: { title: string; version: string; description?: string };
  paths?: Record<
    string,
    Record<string, { summary?: string; description?: string; tags?: string[] }>
  >;
};

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * Readable API docs rendered from the OpenAPI document on the server: no script and no
 * assets from elsewhere, so they work on an offline gateway.
 */
export function renderDocs(doc: Doc): string {
  const rows = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(
      ([method, op]) =>
        `<section><h3><code class="m ${method}">${method.toUpperCase()}</code> <code>${esc(path)}</code></h3>` +
        `<p><strong>${esc(op.summary ?? '')}</strong></p>` +
        (op.description ? `<p>${esc(op.description)}</p>` : '') +
        '</section>',
    ),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
section{border-top:1px solid #ddd;padding:.5rem 0}h3{margin:.4rem 0;font-size:16px}
.m{padding:2px 6px;border-radius:4px;color:#fff;font-size:12px}.get{background:#1f6feb}.post{background:#1a7f37}.delete{background:#cf222e}.patch{background:#9a6700}</style>
</head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${rows.join('\n')}
</body></html>`;
}

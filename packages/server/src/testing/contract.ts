import { appendFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Json = any;

/**
 * Checks answers against the OpenAPI documents (the API's, the dashboard's): the route
 * must be in one, the status must be one it lists for that operation, and a JSON body
 * must match that response's schema. Every in-process test request goes through this (see
 * `testGateway().call` and `.checkAnswer`), so a document cannot drift from what the
 * server answers. With KASSA_CONTRACT_TALLY set, each checked answer appends a line there
 * (`pnpm test` reports the count).
 */
export function contractChecker(...docs: Json[]) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  // Answers may not carry fields the document does not name: every object schema that
  // lists its properties is closed.
  const close = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(close);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) out[k] = close(v);
    if (out.type === 'object' && out.properties && out.additionalProperties === undefined) {
      out.additionalProperties = false;
    }
    return out;
  };
  const ops: { method: string; re: RegExp; path: string; op: Json; doc: Json; id: string }[] = [];
  docs.forEach((doc, i) => {
    const id = `kassa${i}`;
    ajv.addSchema({ $id: id, components: close(doc.components) }, id);
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      const re = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
      for (const [method, op] of Object.entries<Json>(item)) {
        ops.push({ method, re, path, op, doc, id });
      }
    }
  });
  // Literal paths win over templated ones (`/v1/payment_intents/{id}` vs a literal sibling).
  ops.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  const compiled = new Map<string, ValidateFunction>();
  const rewrite = (schema: Json, id: string): Json =>
    close(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${id}#/components/`)));

  return function check(
    method: string,
    url: string,
    status: number,
    headers: Headers,
    text: string,
  ) {
    const path = new URL(url, 'http://x').pathname;
    const found = ops.find((o) => o.method === method.toLowerCase() && o.re.test(path));
    // 404/405 for a route that does not exist is the router's, not an operation's.
    if (!found) {
      if (status === 404 || status === 405) return;
      throw new Error(
        `contract: ${method} ${path} answered ${status} but is not in the OpenAPI document`,
      );
    }
    let response = found.op.responses[String(status)] ?? found.op.responses.default;
    if (!response) {
      throw new Error(
        `contract: ${method} ${found.path} answered ${status}, which the document does not list (${Object.keys(found.op.responses).join(', ')}): ${text.slice(0, 300)}`,
      );
    }
    if (response.$ref) {
      response = found.doc.components.responses[response.$ref.split('/').pop()];
    }
    const type = headers.get('content-type') ?? '';
    const schema = response.content?.['application/json']?.schema;
    if (process.env.KASSA_CONTRACT_TALLY) {
      appendFileSync(process.env.KASSA_CONTRACT_TALLY, `${method} ${found.path} ${status}\n`);
    }
    if (!schema || !type.includes('json')) return;
    const key = `${method} ${found.path} ${status}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(rewrite(schema, found.id));
      compiled.set(key, validate);
    }
    const body = JSON.parse(text);
    if (!validate(body)) {
      throw new Error(
        `contract: ${key} does not match the document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`,
      );
    }
  };
}

import { testGateway } from '/work/main/packages/server/src/testing/harness.ts';

const g = await testGateway();
const r = await g.call('GET', '/openapi.json', null);
const doc = r.json;
for (const [p, ops] of Object.entries<any>(doc.paths)) console.log(p, Object.keys(ops).join(','));
console.log(Object.keys(doc.components.schemas).join(' '));

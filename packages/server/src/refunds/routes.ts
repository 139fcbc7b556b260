import { createRoute, z } from '@hono/zod-openapi';
import {
  createRefundBodySchema,
  listOf,
  listRefundsQuerySchema,
  refundSchema,
} from '@kassa/protocol';
import { callerOf } from '../http/caller.ts';
import { errorResponses, json, openApiApp } from '../http/openapi-app.ts';
import { toList } from '../http/paginate.ts';
import { type Refunds, toRefund } from './refunds.ts';

const security = [{ secretKey: [] }];
const tags = ['Refunds'];

/** `POST /v1/refunds`, `GET /v1/refunds/:id`, `GET /v1/refunds`. */
export function refundRoutes(refunds: Refunds) {
  const app = openApiApp();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags,
      security,
      summary: 'Refund a payment, in full or in part',
      request: {
        body: {
          content: { 'application/json': { schema: createRefundBodySchema } },
          required: true,
        },
      },
      responses: {
        201: json(refundSchema, 'The refund (succeeded, failed, or pending)'),
        ...errorResponses,
      },
    }),
    async (c) => c.json(toRefund(await refunds.create(callerOf(c), c.req.valid('json'))), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags,
      security,
      summary: 'List refunds, newest first',
      request: { query: listRefundsQuerySchema },
      responses: { 200: json(listOf(refundSchema), 'Refunds'), ...errorResponses },
    }),
    async (c) => {
      return c.json(toList(await refunds.list(callerOf(c), c.req.valid('query')), toRefund), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags,
      security,
      summary: 'Retrieve a refund',
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(refundSchema, 'The refund'), ...errorResponses },
    }),
    async (c) => c.json(toRefund(await refunds.get(callerOf(c), c.req.valid('param').id)), 200),
  );
  return app;
}

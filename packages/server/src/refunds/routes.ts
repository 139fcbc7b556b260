import { createRoute, z } from '@hono/zod-openapi';
import {
  createRefundBodySchema,
  listOf,
  listRefundsQuerySchema,
  refundSchema,
} from '@kassa/protocol';
import { callerOf } from '../http/caller.ts';
import { errors, json, openApiApp } from '../http/openapi-app.ts';
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
      operationId: 'createRefund',
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
        ...errors(400, 404, 409),
      },
    }),
    async (c) => c.json(toRefund(await refunds.create(callerOf(c), c.req.valid('json'))), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'listRefunds',
      tags,
      security,
      summary: 'List refunds, newest first',
      request: { query: listRefundsQuerySchema },
      responses: { 200: json(listOf(refundSchema), 'Refunds'), ...errors(400) },
    }),
    async (c) => {
      return c.json(toList(await refunds.list(callerOf(c), c.req.valid('query')), toRefund), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      operationId: 'retrieveRefund',
      tags,
      security,
      summary: 'Retrieve a refund',
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(refundSchema, 'The refund'), ...errors(404) },
    }),
    async (c) => c.json(toRefund(await refunds.get(callerOf(c), c.req.valid('param').id)), 200),
  );
  return app;
}

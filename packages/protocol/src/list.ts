import { z } from 'zod';

/** The cursor parameters every list takes: newest first, Stripe's semantics. */
export const pageQueryShape = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .meta({ description: 'How many objects to return, 1 to 100.' }),
  starting_after: z
    .string()
    .max(64)
    .optional()
    .meta({ description: "An object's id: the page after it (older objects)." }),
  ending_before: z
    .string()
    .max(64)
    .optional()
    .meta({ description: "An object's id: the page before it (newer objects)." }),
};

type PageParams = { starting_after?: string; ending_before?: string };

/**
 * A list's query: the cursor parameters plus the list's own filters. A parameter the list
 * does not know is refused (400 `parameter_unknown`), as Stripe does: a misspelt filter
 * never silently lists everything.
 */
export const listQuery = <T extends z.ZodRawShape>(filters: T) =>
  z
    .strictObject({ ...pageQueryShape, ...filters })
    .refine((q) => !((q as PageParams).starting_after && (q as PageParams).ending_before), {
      message: 'use starting_after or ending_before, not both',
      path: ['ending_before'],
    });

export const pageQuerySchema = listQuery({});
export type PageQuery = z.infer<typeof pageQuerySchema>;

/** A page of a list, as in Stripe: `has_more` tells whether to fetch on. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() });

export interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
}

/** `created[gte]` / `created[lte]`: Unix seconds, inclusive. */
export const createdRangeShape = {
  'created[gte]': z.coerce
    .number()
    .int()
    .optional()
    .meta({ description: 'Only objects created at or after this Unix time (seconds).' }),
  'created[lte]': z.coerce
    .number()
    .int()
    .optional()
    .meta({ description: 'Only objects created at or before this Unix time (seconds).' }),
};

import type { ComponentType } from 'preact';
import type { FieldsProps } from './types.ts';

export type { FieldsProps, Problem } from './types.ts';

/**
 * Processors whose own fields take the card on this page, by the id the gateway names in
 * `processor_fields`: one line each, each its own chunk, fetched only for its payments.
 */
export const PROCESSOR_FIELDS: Record<
  string,
  () => Promise<{ default: ComponentType<FieldsProps> }>
> = {
  stripe: () => import('./stripe.tsx'),
  razorpay: () => import('./razorpay.tsx'),
};

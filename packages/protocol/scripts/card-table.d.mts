import type creditCardType from 'credit-card-type';
import type { CardTableRow } from '../src/card-table.ts';

export const RUPAY: Parameters<typeof creditCardType.addCard>[0];
export const BRAND_OF: Record<string, string>;
export function configuredLibrary(): typeof creditCardType;
export function tableFromLibrary(): CardTableRow[];

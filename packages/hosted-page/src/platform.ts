/** Where the shopper is: a phone opens UPI apps by link, a computer shows a QR code. */
export type Platform = 'android' | 'ios' | 'desktop';

export function platformOf(userAgent: string): Platform {
  if (/Android/i.test(userAgent)) return 'android';
  if (/iPhone|iPad|iPod/i.test(userAgent)) return 'ios';
  return 'desktop';
}

/** When a UPI payment began waiting in the shopper's app (its countdown survives a reopen). */
export const upiKey = (id: string) => `kassa:upi:${id}`;
/** The UPI ID a collect request went to, shown while it waits (survives a reopen too). */
export const vpaKey = (id: string) => `kassa:upi-vpa:${id}`;
/** How long a UPI collect request waits in the shopper's app, as UPI apps show it. */
export const UPI_WINDOW_MS = 5 * 60 * 1000;

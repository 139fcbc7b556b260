export { RAZORPAY_WEBHOOK_EVENTS } from './events.ts';
export {
  createRazorpayProcessor,
  RAZORPAY_CREDENTIALS,
  RAZORPAY_PAGE_SOURCES,
  type RazorpayOptions,
  type RazorpayProcessor,
} from './razorpay.ts';

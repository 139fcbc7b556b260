export { FAKE_RAZORPAY_CHECKOUT_JS } from './fake-checkout-js.ts';
export {
  type CheckoutSuccess,
  FAKE_RAZORPAY_CARDS,
  FAKE_RAZORPAY_VPAS,
  type FakeRazorpay,
  type FakeRazorpayFault,
  type FakeRazorpayRequest,
  RAZORPAY_PARAMS,
  startFakeRazorpay,
} from './fake-razorpay.ts';

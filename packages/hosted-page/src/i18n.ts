/** Every string a shopper reads, in one place. */
const en = {
  title: 'Secure payment',
  pay: (amount: string) => `Pay ${amount}`,
  paying: 'Processing…',
  close: 'Close',
  card: 'Card',
  upi: 'UPI',
  methods: 'Payment method',
  cardNumber: 'Card number',
  expiry: 'Expiry (MM/YY)',
  cvc: 'Security code',
  name: 'Name on card',
  vpa: 'UPI ID',
  vpaHint: 'For example name@bank',
  errNumber: 'Enter a valid card number.',
  errExpiry: 'Enter a valid expiry date, MM/YY.',
  errExpired: 'This card has expired.',
  errCvc: (n: number) => `Enter the ${n}-digit security code.`,
  errName: 'Enter the name on the card.',
  errVpa: 'Enter a UPI ID such as name@bank.',
  declinedRetry: 'Try again, or use another card or method.',
  attemptsLeft: (n: number) => (n === 1 ? '1 attempt left.' : `${n} attempts left.`),
  authenticate: 'Confirm this payment with your bank',
  authenticateHint: 'Your bank asks you to approve this payment.',
  waiting: 'Waiting for confirmation…',
  waitingUpi: 'Approve the payment request in your UPI app.',
  success: 'Payment successful',
  successBody: (amount: string) => `${amount} paid. You can close this window.`,
  returning: 'Taking you back to the shop…',
  failed: 'Payment failed',
  expired: 'This payment has expired. Return to the shop to start again.',
  canceled: 'This payment was canceled.',
  tooManyAttempts: 'Too many attempts. This payment can no longer be completed.',
  loadError: 'We could not load this payment. Check the link and try again.',
  networkError: 'We could not reach the payment service. Check your connection and try again.',
  testMode: 'Test mode',
};

export type Strings = typeof en;

const hi: Strings = {
  title: 'सुरक्षित भुगतान',
  pay: (amount) => `${amount} का भुगतान करें`,
  paying: 'प्रक्रिया जारी है…',
  close: 'बंद करें',
  card: 'कार्ड',
  upi: 'यूपीआई',
  methods: 'भुगतान का तरीका',
  cardNumber: 'कार्ड नंबर',
  expiry: 'समाप्ति (MM/YY)',
  cvc: 'सुरक्षा कोड',
  name: 'कार्ड पर नाम',
  vpa: 'यूपीआई आईडी',
  vpaHint: 'उदाहरण: name@bank',
  errNumber: 'सही कार्ड नंबर दर्ज करें।',
  errExpiry: 'सही समाप्ति तिथि दर्ज करें, MM/YY।',
  errExpired: 'इस कार्ड की अवधि समाप्त हो चुकी है।',
  errCvc: (n) => `${n} अंकों का सुरक्षा कोड दर्ज करें।`,
  errName: 'कार्ड पर लिखा नाम दर्ज करें।',
  errVpa: 'name@bank जैसी यूपीआई आईडी दर्ज करें।',
  declinedRetry: 'फिर से प्रयास करें, या कोई दूसरा कार्ड या तरीका चुनें।',
  attemptsLeft: (n) => `${n} प्रयास शेष।`,
  authenticate: 'अपने बैंक से इस भुगतान की पुष्टि करें',
  authenticateHint: 'आपका बैंक इस भुगतान की स्वीकृति माँग रहा है।',
  waiting: 'पुष्टि की प्रतीक्षा है…',
  waitingUpi: 'अपने यूपीआई ऐप में भुगतान अनुरोध स्वीकार करें।',
  success: 'भुगतान सफल',
  successBody: (amount) => `${amount} का भुगतान हो गया। आप यह विंडो बंद कर सकते हैं।`,
  returning: 'आपको दुकान पर वापस ले जा रहे हैं…',
  failed: 'भुगतान विफल',
  expired: 'इस भुगतान की समय-सीमा समाप्त हो गई है। फिर से शुरू करने के लिए दुकान पर लौटें।',
  canceled: 'यह भुगतान रद्द कर दिया गया।',
  tooManyAttempts: 'बहुत अधिक प्रयास। यह भुगतान अब पूरा नहीं किया जा सकता।',
  loadError: 'यह भुगतान लोड नहीं हो सका। लिंक जाँचें और फिर से प्रयास करें।',
  networkError: 'भुगतान सेवा से संपर्क नहीं हो सका। अपना कनेक्शन जाँचें और फिर से प्रयास करें।',
  testMode: 'परीक्षण मोड',
};

const LOCALES: Record<string, { strings: Strings; intl: string }> = {
  en: { strings: en, intl: 'en-US' },
  hi: { strings: hi, intl: 'hi-IN' },
};

/** The strings and Intl locale for `locale` (default English). */
export function localeOf(locale: string | null): { strings: Strings; intl: string; lang: string } {
  const lang = locale && LOCALES[locale] ? locale : 'en';
  return { ...(LOCALES[lang] as { strings: Strings; intl: string }), lang };
}

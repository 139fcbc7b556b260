/** A plural form chosen by the language's own rules (`Intl.PluralRules`). */
const plural = (
  locale: string,
  n: number,
  forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string },
) => forms[new Intl.PluralRules(locale).select(n)] ?? forms.other;

/** Every string a shopper reads, in one place. */
const en = {
  title: 'Secure payment',
  pay: (amount: string) => `Pay ${amount}`,
  paying: 'Processing…',
  close: 'Close',
  card: 'Card',
  upi: 'UPI',
  redirect: 'KassaPay app',
  redirectHint: 'You will approve the payment in the KassaPay app.',
  openAppTitle: 'Approve in KassaPay',
  openAppHint: 'Open the app and approve the payment there. This page updates by itself.',
  openApp: 'Open KassaPay',
  methods: 'Payment method',
  cardNumber: 'Card number',
  expiry: 'Expiry (MM/YY)',
  cvc: 'Security code',
  name: 'Name on card (optional)',
  vpa: 'UPI ID',
  vpaHint: 'For example name@bank',
  testVpas:
    'Test mode: success@kassa is approved, failure@kassa declined, pending@kassa never answered.',
  errNumber: 'Enter a valid card number.',
  errExpiry: 'Enter a valid expiry date, MM/YY.',
  errExpired: 'This card has expired.',
  errCvc: (n: number) => `Enter the ${n}-digit security code.`,
  errVpa: 'Enter a UPI ID such as name@bank.',
  declinedRetry: 'Try again, or use another card or method.',
  // Why a payment did not go through, by decline code: the page says it in the shopper's
  // language; the server's English message is for developers.
  declines: {
    processor_unavailable:
      'We could not reach the card processor. Nothing was charged; try again in a moment.',
    processor_account_invalid:
      'This shop cannot take cards right now. Nothing was charged; choose another method or tell the shop.',
    processor_refused: 'The card processor cannot take this payment. Nothing was charged.',
    generic_decline: 'Your card was declined.',
    lost_card: 'Your card was declined.',
    stolen_card: 'Your card was declined.',
    do_not_honor: 'Your card was declined.',
    insufficient_funds: 'Your card has insufficient funds.',
    expired_card: 'Your card has expired.',
    incorrect_cvc: "Your card's security code is incorrect.",
    incorrect_number: 'Your card number is incorrect.',
    processing_error: 'An error occurred while processing your card.',
    authentication_failed: 'We could not authenticate your payment with your bank.',
    upi_declined: 'The payment was declined in the UPI app.',
    declined_in_app: 'The payment was declined in the payment app.',
    expired: 'The payment request expired before it was approved.',
    canceled: 'The payment was canceled.',
  } as Record<string, string>,
  declinedCard: 'Your card was declined.',
  declinedPayment: 'The payment was declined.',
  somethingWrong: 'Something went wrong with this payment.',
  attemptsLeft: (n: number) =>
    plural('en', n, { one: `${n} attempt left.`, other: `${n} attempts left.` }),
  authenticate: 'Confirm this payment with your bank',
  authenticateHint: 'Your bank asks you to approve this payment.',
  waiting: 'Waiting for confirmation…',
  waitingUpi: 'Approve the payment request in your UPI app.',
  waitingUpiTo: (vpa: string) => `We sent a payment request to ${vpa}. Approve it in your UPI app.`,
  leave: 'Use another card or method',
  leftNote:
    'You left that payment and nothing was charged. Enter your card again (it is never kept), or choose another method.',
  changeMethod: 'Change payment method',
  checkPaid: "I've paid",
  upiCountdown: (time: string) => `The request in your UPI app expires in ${time}.`,
  upiTimeUp: 'The request has expired in your UPI app. Choose another way to pay.',
  upiStillWaiting: 'Not confirmed yet. Approve the request in your UPI app, then try again.',
  upiWithApp: 'Choose a UPI app',
  upiShowQr: 'Show QR code',
  upiOr: 'or enter your UPI ID',
  upiScan: (amount: string) => `Scan with any UPI app to pay ${amount}`,
  upiQrLabel: 'QR code for UPI payment',
  upiChooseApp: (amount: string) => `Choose your UPI app to pay ${amount}`,
  upiOtherApp: 'Other UPI app',
  upiAppHint: 'After paying, come back here. This page updates by itself.',
  upiQrCountdown: (time: string) => `This payment request expires in ${time}.`,
  upiQrTimeUp: 'This payment request has expired. Choose another way to pay.',
  upiTestApp: 'Test mode: open the test UPI app',
  stillConfirming: 'Your payment is still being confirmed',
  stillConfirmingBody:
    'If you close now, you can come back to it from the shop. You will not be charged twice.',
  keepWaiting: 'Keep waiting',
  success: 'Payment successful',
  successBody: (amount: string, merchant: string) => `${amount} paid to ${merchant}.`,
  reference: (ref: string) => `Reference: ${ref}`,
  closeHint: 'You can close this window.',
  closingSoon: 'This window closes by itself.',
  returning: 'Taking you back to the shop…',
  failed: 'Payment failed',
  expired: 'This payment has expired. Return to the shop to start again.',
  canceled: 'This payment was canceled.',
  tooManyAttempts: 'Too many attempts. This payment can no longer be completed.',
  loadError: 'We could not load this payment. Check the link and try again.',
  networkError: 'We could not reach the payment service. Check your connection and try again.',
  testMode: 'Test mode',
  loadingFields: 'Loading secure card fields…',
  fieldsError: 'The card form could not load. Check your connection and try again.',
  retryFields: 'Load the card form again',
  securedBy: (processor: string) =>
    `Your card details go straight to ${processor}, not to the shop.`,
};

export type Strings = typeof en;

const hi: Strings = {
  title: 'सुरक्षित भुगतान',
  pay: (amount) => `${amount} का भुगतान करें`,
  paying: 'प्रक्रिया जारी है…',
  close: 'बंद करें',
  card: 'कार्ड',
  upi: 'यूपीआई',
  redirect: 'KassaPay ऐप',
  redirectHint: 'आप KassaPay ऐप में भुगतान स्वीकार करेंगे।',
  openAppTitle: 'KassaPay में स्वीकार करें',
  openAppHint: 'ऐप खोलें और वहाँ भुगतान स्वीकार करें। यह पृष्ठ अपने आप अपडेट हो जाएगा।',
  openApp: 'KassaPay खोलें',
  methods: 'भुगतान का तरीका',
  cardNumber: 'कार्ड नंबर',
  expiry: 'समाप्ति (MM/YY)',
  cvc: 'सुरक्षा कोड',
  name: 'कार्ड पर नाम (वैकल्पिक)',
  vpa: 'यूपीआई आईडी',
  vpaHint: 'उदाहरण: name@bank',
  testVpas:
    'परीक्षण मोड: success@kassa स्वीकृत होता है, failure@kassa अस्वीकृत, pending@kassa का कोई उत्तर नहीं आता।',
  errNumber: 'सही कार्ड नंबर दर्ज करें।',
  errExpiry: 'सही समाप्ति तिथि दर्ज करें, MM/YY।',
  errExpired: 'इस कार्ड की अवधि समाप्त हो चुकी है।',
  errCvc: (n) => `${n} अंकों का सुरक्षा कोड दर्ज करें।`,
  errVpa: 'name@bank जैसी यूपीआई आईडी दर्ज करें।',
  declinedRetry: 'फिर से प्रयास करें, या कोई दूसरा कार्ड या तरीका चुनें।',
  declines: {
    processor_unavailable:
      'कार्ड प्रोसेसर से संपर्क नहीं हो सका। कोई राशि नहीं ली गई; थोड़ी देर में फिर से प्रयास करें।',
    processor_account_invalid:
      'यह दुकान अभी कार्ड नहीं ले सकती। कोई राशि नहीं ली गई; कोई दूसरा तरीका चुनें या दुकान को बताएँ।',
    processor_refused: 'कार्ड प्रोसेसर यह भुगतान नहीं ले सकता। कोई राशि नहीं ली गई।',
    generic_decline: 'आपका कार्ड अस्वीकार कर दिया गया।',
    lost_card: 'आपका कार्ड अस्वीकार कर दिया गया।',
    stolen_card: 'आपका कार्ड अस्वीकार कर दिया गया।',
    do_not_honor: 'आपका कार्ड अस्वीकार कर दिया गया।',
    insufficient_funds: 'आपके कार्ड में पर्याप्त राशि नहीं है।',
    expired_card: 'आपके कार्ड की अवधि समाप्त हो चुकी है।',
    incorrect_cvc: 'आपके कार्ड का सुरक्षा कोड गलत है।',
    incorrect_number: 'आपका कार्ड नंबर गलत है।',
    processing_error: 'आपके कार्ड को प्रोसेस करते समय एक त्रुटि हुई।',
    authentication_failed: 'आपके बैंक के साथ इस भुगतान की पुष्टि नहीं हो सकी।',
    upi_declined: 'यूपीआई ऐप में भुगतान अस्वीकार कर दिया गया।',
    declined_in_app: 'भुगतान ऐप में भुगतान अस्वीकार कर दिया गया।',
    expired: 'स्वीकृति से पहले भुगतान अनुरोध की समय-सीमा समाप्त हो गई।',
    canceled: 'भुगतान रद्द कर दिया गया।',
  },
  declinedCard: 'आपका कार्ड अस्वीकार कर दिया गया।',
  declinedPayment: 'भुगतान अस्वीकार कर दिया गया।',
  somethingWrong: 'इस भुगतान में कुछ गड़बड़ हो गई।',
  attemptsLeft: (n) => plural('hi', n, { one: `${n} प्रयास शेष।`, other: `${n} प्रयास शेष।` }),
  authenticate: 'अपने बैंक से इस भुगतान की पुष्टि करें',
  authenticateHint: 'आपका बैंक इस भुगतान की स्वीकृति माँग रहा है।',
  waiting: 'पुष्टि की प्रतीक्षा है…',
  waitingUpi: 'अपने यूपीआई ऐप में भुगतान अनुरोध स्वीकार करें।',
  waitingUpiTo: (vpa) => `हमने ${vpa} पर भुगतान अनुरोध भेजा है। इसे अपने यूपीआई ऐप में स्वीकार करें।`,
  leave: 'दूसरा कार्ड या तरीका चुनें',
  leftNote:
    'आपने वह भुगतान छोड़ दिया और कोई राशि नहीं ली गई। अपना कार्ड फिर से दर्ज करें (यह कभी सहेजा नहीं जाता), या कोई दूसरा तरीका चुनें।',
  changeMethod: 'भुगतान का तरीका बदलें',
  checkPaid: 'मैंने भुगतान कर दिया है',
  upiCountdown: (time) => `आपके यूपीआई ऐप में अनुरोध ${time} में समाप्त हो जाएगा।`,
  upiTimeUp: 'आपके यूपीआई ऐप में अनुरोध की समय-सीमा समाप्त हो गई। भुगतान का कोई दूसरा तरीका चुनें।',
  upiStillWaiting: 'अभी पुष्टि नहीं हुई। अपने यूपीआई ऐप में अनुरोध स्वीकार करें, फिर दोबारा जाँचें।',
  upiWithApp: 'यूपीआई ऐप चुनें',
  upiShowQr: 'क्यूआर कोड दिखाएँ',
  upiOr: 'या अपनी यूपीआई आईडी डालें',
  upiScan: (amount) => `${amount} का भुगतान करने के लिए किसी भी यूपीआई ऐप से स्कैन करें`,
  upiQrLabel: 'यूपीआई भुगतान का क्यूआर कोड',
  upiChooseApp: (amount) => `${amount} का भुगतान करने के लिए अपना यूपीआई ऐप चुनें`,
  upiOtherApp: 'कोई दूसरा यूपीआई ऐप',
  upiAppHint: 'भुगतान के बाद यहाँ लौटें। यह पेज अपने आप अपडेट होता है।',
  upiQrCountdown: (time) => `यह भुगतान अनुरोध ${time} में समाप्त हो जाएगा।`,
  upiQrTimeUp: 'इस भुगतान अनुरोध की समय-सीमा समाप्त हो गई। भुगतान का कोई दूसरा तरीका चुनें।',
  upiTestApp: 'परीक्षण मोड: परीक्षण यूपीआई ऐप खोलें',
  stillConfirming: 'आपके भुगतान की पुष्टि अभी हो रही है',
  stillConfirmingBody: 'अभी बंद करने पर आप दुकान से इस पर वापस आ सकते हैं। आपसे दो बार शुल्क नहीं लिया जाएगा।',
  keepWaiting: 'प्रतीक्षा करें',
  success: 'भुगतान सफल',
  successBody: (amount, merchant) => `${merchant} को ${amount} का भुगतान हो गया।`,
  reference: (ref) => `संदर्भ: ${ref}`,
  closeHint: 'आप यह विंडो बंद कर सकते हैं।',
  closingSoon: 'यह विंडो अपने आप बंद हो जाएगी।',
  returning: 'आपको दुकान पर वापस ले जा रहे हैं…',
  failed: 'भुगतान विफल',
  expired: 'इस भुगतान की समय-सीमा समाप्त हो गई है। फिर से शुरू करने के लिए दुकान पर लौटें।',
  canceled: 'यह भुगतान रद्द कर दिया गया।',
  tooManyAttempts: 'बहुत अधिक प्रयास। यह भुगतान अब पूरा नहीं किया जा सकता।',
  loadError: 'यह भुगतान लोड नहीं हो सका। लिंक जाँचें और फिर से प्रयास करें।',
  networkError: 'भुगतान सेवा से संपर्क नहीं हो सका। अपना कनेक्शन जाँचें और फिर से प्रयास करें।',
  testMode: 'परीक्षण मोड',
  loadingFields: 'सुरक्षित कार्ड फ़ील्ड लोड हो रहे हैं…',
  fieldsError: 'कार्ड फ़ॉर्म लोड नहीं हो सका। अपना कनेक्शन जाँचें और फिर से प्रयास करें।',
  retryFields: 'कार्ड फ़ॉर्म फिर से लोड करें',
  securedBy: (processor) => `आपके कार्ड का विवरण सीधे ${processor} को जाता है, दुकान को नहीं।`,
};

const LOCALES: Record<string, { strings: Strings; intl: string }> = {
  en: { strings: en, intl: 'en-US' },
  hi: { strings: hi, intl: 'hi-IN' },
};

/** What the shopper reads for an error: the decline code's reason in their language,
 * else the error code's kind; never the server's English message. */
export function reasonOf(
  err: { code?: string | null; decline_code?: string | null } | null | undefined,
  t: Strings,
): string {
  const own = (key: string | null | undefined) =>
    key && Object.hasOwn(t.declines, key) ? t.declines[key] : undefined;
  const code = err?.code ?? '';
  return (
    own(err?.decline_code) ??
    own(code) ??
    (code === 'card_declined'
      ? t.declinedCard
      : code === 'payment_declined' || code === 'payment_intent_authentication_failure'
        ? t.declinedPayment
        : code === 'too_many_attempts'
          ? t.tooManyAttempts
          : code === 'network_error'
            ? t.networkError
            : t.somethingWrong)
  );
}

/** The strings and Intl locale for `locale` (default English). */
export function localeOf(locale: string | null): { strings: Strings; intl: string; lang: string } {
  // Own keys only: `__proto__` or `toString` are not locales.
  const lang = locale && Object.hasOwn(LOCALES, locale) ? locale : 'en';
  return { ...(LOCALES[lang] as { strings: Strings; intl: string }), lang };
}

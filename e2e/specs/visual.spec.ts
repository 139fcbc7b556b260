import { expect, type Locator, type Page, test } from '@playwright/test';
import { hosted, openShop, pay } from './helpers.ts';

// What the shopper sees, compared with the pictures in visual.spec.ts-snapshots: the main
// states of the payment page in English and Hindi, on a computer and a 390 px phone, so a
// broken layout fails CI. What changes from run to run (the order reference, the UPI QR
// code and its countdown) is masked. After a deliberate change to the page, look at the
// new pictures and update them: `npx playwright test visual --update-snapshots`.

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
// Room for font hinting and anti-aliasing; a moved or missing element is far more.
const TOLERANCE = { maxDiffPixelRatio: 0.01, threshold: 0.25 };

type State = 'card' | 'decline' | '3ds' | 'upi-qr' | 'upi-collect' | 'left' | 'success';

const T = {
  en: {
    upi: 'UPI',
    showQr: 'Show QR code',
    qr: 'QR code for UPI payment',
    success: 'Payment successful',
    bank: 'Confirm this payment with your bank',
    failAuth: 'Fail authentication',
    vpa: 'UPI ID',
    leave: 'Use another card or method',
  },
  hi: {
    upi: 'यूपीआई',
    showQr: 'क्यूआर कोड दिखाएँ',
    qr: 'यूपीआई भुगतान का क्यूआर कोड',
    success: 'भुगतान सफल',
    bank: 'अपने बैंक से इस भुगतान की पुष्टि करें',
    // The sandbox's bank page speaks the payment page's language too.
    failAuth: 'सत्यापन विफल करें',
    vpa: 'यूपीआई आईडी',
    leave: 'दूसरा कार्ड या तरीका चुनें',
  },
};

/** Brings the payment page to `state`; answers what to mask. */
async function reach(page: Page, state: State, lang: 'en' | 'hi'): Promise<Locator[]> {
  const frame = hosted(page);
  const t = T[lang];
  const payButton = frame.locator('button.pay[type="submit"]');
  const fill = async (number: string) => {
    await frame.locator('#card-number').fill(number);
    await frame.locator('#card-expiry').fill('12 / 34');
    await frame.locator('#card-cvc').fill('123');
    await payButton.click();
  };
  switch (state) {
    case 'card':
      return [];
    case 'decline':
      await fill('4000 0000 0000 0002');
      await expect(frame.getByTestId('decline')).toBeVisible();
      return [];
    case '3ds':
      await fill('4000 0027 6000 3184');
      await expect(frame.getByRole('heading', { name: t.bank })).toBeVisible();
      await expect(
        frame.frameLocator('iframe.challenge').getByRole('button', { name: t.failAuth }),
      ).toBeVisible();
      return [];
    case 'upi-qr':
      await frame.getByRole('radio', { name: t.upi }).click();
      await frame.getByRole('button', { name: t.showQr }).click();
      await expect(frame.getByRole('img', { name: t.qr })).toBeVisible();
      return [frame.getByRole('img', { name: t.qr }), frame.getByTestId('countdown')];
    case 'upi-collect':
      // A request that stays unanswered: the screen says where it went, and counts down.
      await frame.getByRole('radio', { name: t.upi }).click();
      await frame.getByLabel(t.vpa).fill('pending@kassa');
      await payButton.click();
      await expect(frame.getByText('pending@kassa')).toBeVisible();
      return [frame.getByTestId('countdown'), frame.locator('.spinner')];
    case 'left':
      // Left 3-D Secure: an empty card form, and the note that says why.
      await fill('4000 0027 6000 3184');
      await expect(frame.getByRole('heading', { name: t.bank })).toBeVisible();
      await frame.getByRole('button', { name: t.leave }).click();
      await expect(frame.getByTestId('left-note')).toBeVisible();
      return [];
    case 'success':
      await fill('4242 4242 4242 4242');
      await expect(frame.getByRole('heading', { name: t.success })).toBeVisible();
      return [frame.locator('.detail')];
  }
}

for (const [size, viewport] of Object.entries(SIZES)) {
  for (const lang of ['en', 'hi'] as const) {
    test.describe(`${lang}, ${size}`, () => {
      test.use({ viewport });
      for (const state of [
        'card',
        'decline',
        '3ds',
        'upi-qr',
        'upi-collect',
        'left',
        'success',
      ] as const) {
        test(`${state} looks as it should`, async ({ page }) => {
          await openShop(page);
          await pay(page, {}, { locale: lang, autoClose: false });
          // The fonts are in before the picture is taken.
          await hosted(page)
            .locator('body')
            .evaluate(() => document.fonts.ready);
          const mask = await reach(page, state, lang);
          await expect(page.locator('dialog.kassa')).toHaveScreenshot(
            `${state}-${lang}-${size}.png`,
            { ...TOLERANCE, mask, animations: 'disabled', caret: 'hide' },
          );
        });
      }
    });
  }
}

// A layout that breaks must fail: the same comparison against a page with its styles gone.
test('a broken layout does not pass the comparison', async ({ page }, testInfo) => {
  // Updating the pictures would save the broken one: this check runs only when comparing.
  test.skip(
    ['all', 'changed'].includes(testInfo.config.updateSnapshots),
    'the pictures are being updated',
  );
  await page.setViewportSize(SIZES.desktop);
  await openShop(page);
  await pay(page, {}, { autoClose: false });
  await hosted(page)
    .locator('head link[rel="stylesheet"]')
    .evaluate((l) => l.remove());
  let failed = false;
  try {
    await expect(page.locator('dialog.kassa')).toHaveScreenshot('card-en-desktop.png', {
      ...TOLERANCE,
      timeout: 3_000,
    });
  } catch {
    failed = true;
  }
  expect(failed).toBe(true);
});

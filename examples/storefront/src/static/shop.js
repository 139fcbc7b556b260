// The shop's browser code: opens Kassa's modal for the order and follows the order's
// status from the shop's server. onSuccess marks nothing paid: the webhook does.
(() => {
  const status = document.querySelector('[data-testid="order-status"]');
  const message = document.getElementById('pay-message');
  const pay = document.getElementById('pay');
  const say = (text) => {
    if (message) message.textContent = text;
  };
  // Open while the shopper pays; the settled order waits until the modal has shown its
  // confirmation and closed itself, then the shop shows its thank-you page.
  let modal = null;
  const settled = () => {
    const url = new URL(location.href);
    url.searchParams.set('thanks', '1');
    location.replace(url);
  };
  if (pay) {
    pay.addEventListener('click', () => {
      modal = window.Kassa.open({
        clientSecret: pay.dataset.clientSecret,
        theme: pay.dataset.theme,
        // The language the shopper picked beside the button.
        locale: document.getElementById('pay-locale')?.value ?? 'en',
        onSuccess: () => say('Payment received, confirming your order…'),
        onFailure: (e) => {
          say(`Payment failed: ${e.message}`);
          // Out of attempts from this browser, or the payment is over: no Pay that
          // cannot work. The order page offers to order again once the order has failed.
          pay.hidden = true;
          if (e.code === 'too_many_attempts') {
            say('Too many tries for this payment from this browser. Wait a while, or order again.');
          }
        },
        onClose: () =>
          say(
            'Payment not completed. Your order is still pending; you can pay when you are ready.',
          ),
      });
      modal.closed.then(() => {
        modal = null;
      });
    });
  }
  if (status) {
    const source = new EventSource(`/orders/${status.dataset.order}/live`);
    source.addEventListener('order', (e) => {
      const order = JSON.parse(e.data);
      if (order.status === status.dataset.status || order.status === 'PENDING') return;
      source.close();
      // Show the settled order (status, receipt, timeline) once the modal is gone.
      if (modal) modal.closed.then(settled);
      else settled();
    });
  }
})();

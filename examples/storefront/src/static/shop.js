// The shop's browser code: opens Kassa's modal for the order and follows the order's
// status from the shop's server. onSuccess marks nothing paid: the webhook does.
(() => {
  const status = document.querySelector('[data-testid="order-status"]');
  const message = document.getElementById('pay-message');
  const pay = document.getElementById('pay');
  const say = (text) => {
    if (message) message.textContent = text;
  };
  if (pay) {
    pay.addEventListener('click', () => {
      window.Kassa.open({
        clientSecret: pay.dataset.clientSecret,
        onSuccess: () => say('Payment received, confirming your order…'),
        onFailure: (e) => say(`Payment failed: ${e.message}`),
        onClose: () =>
          say(
            'Payment not completed. Your order is still pending; you can pay when you are ready.',
          ),
      });
    });
  }
  if (status) {
    const source = new EventSource(`/orders/${status.dataset.order}/live`);
    source.addEventListener('order', (e) => {
      const order = JSON.parse(e.data);
      if (order.status === status.dataset.status) return;
      // Reload to show the settled order: status, timeline, no pay button.
      if (order.status !== 'PENDING') location.reload();
    });
  }
})();

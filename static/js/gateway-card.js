// Every checkout's card form (bookings, bills, deal instalments): the gateway's own script (Stripe.js, or
// localstripe's copy of it) takes the card in the browser and sends it to the gateway; only the card's id is posted.
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || typeof window.Stripe !== "function") {
    var errors = document.getElementById("card-errors");
    if (form && errors) { errors.textContent = form.dataset.errorUnavailable; }
    return;
  }
  var stripe = window.Stripe(form.dataset.gatewayKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var submitting = false;
  form.addEventListener("submit", function (event) {
    if (document.getElementById("payment-method").value) { return; }
    event.preventDefault();
    if (submitting) { return; }
    submitting = true;
    var errors = document.getElementById("card-errors");
    errors.textContent = "";
    // Stripe.js: createPaymentMethod gives pm_…; localstripe's copy only implements createToken (card_…).
    var made = stripe.createPaymentMethod({ type: "card", card: card }).then(function (res) {
      if (res && (res.paymentMethod || res.error)) { return res; }
      return stripe.createToken(card).then(function (tok) {
        return tok.error ? tok : { paymentMethod: { id: tok.token.card.id } };
      });
    });
    made.then(function (res) {
      if (res.error) {
        errors.textContent = res.error.message || form.dataset.errorGeneric;
        submitting = false;
        return;
      }
      document.getElementById("payment-method").value = res.paymentMethod.id;
      form.submit();
    }, function () {
      errors.textContent = form.dataset.errorUnavailable;
      submitting = false;
    });
  });
})();

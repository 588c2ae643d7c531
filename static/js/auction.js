// The auction page, live without reloading: polls state.json every few seconds with If-None-Match
// (304 while nothing moved), redraws the highest bid, the next valid amount, the bid list, the phase
// and the bidder's own status, and counts down to an end that follows each time extension.
(function () {
  "use strict";
  var root = document.getElementById("auction");
  if (!root) return;
  var url = root.getAttribute("data-state-url");
  var pollMs = parseInt(root.getAttribute("data-poll-ms"), 10) || 3000;
  var endedLabel = root.getAttribute("data-label-ended");
  var daysLabel = root.getAttribute("data-label-days");
  var countdown = document.getElementById("auction-countdown");
  var etag = null;
  var endsAtMs = null;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el && value !== undefined && value !== null && el.textContent !== String(value)) el.textContent = value;
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    if (endsAtMs === null) return;
    var left = Math.max(0, Math.round((endsAtMs - Date.now()) / 1000));
    if (left === 0) { countdown.textContent = endedLabel; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    countdown.textContent = (d ? d + " " + daysLabel + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }

  function drawBids(bids) {
    var list = document.getElementById("auction-bids");
    if (!list || !bids.length) return;
    var frag = document.createDocumentFragment();
    bids.forEach(function (b) {
      var li = document.createElement("li");
      var alias = document.createElement("span");
      alias.className = "alias";
      alias.textContent = b.alias;
      var amount = document.createElement("strong");
      amount.textContent = b.amount_text;
      var at = document.createElement("time");
      at.textContent = b.at;
      li.appendChild(alias); li.appendChild(document.createTextNode(" "));
      li.appendChild(amount); li.appendChild(document.createTextNode(" ")); li.appendChild(at);
      frag.appendChild(li);
    });
    list.textContent = "";
    list.appendChild(frag);
  }

  function apply(state) {
    endsAtMs = Date.now() + state.seconds_left * 1000;
    text("auction-highest", state.highest_text);
    text("auction-next", state.next_valid_text);
    text("auction-phase", state.phase_name);
    text("auction-ends", state.ends_at.replace("T", " ").slice(0, 19));
    if (state.mine) text("auction-mine-status", state.mine.status_name);
    drawBids(state.bids);
    var amount = document.getElementById("amount");
    if (amount && !amount.value) amount.placeholder = state.next_valid_text;
    tick();
  }

  function poll() {
    var headers = {"Accept": "application/json"};
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, {headers: headers, cache: "no-store", credentials: "same-origin"}).then(function (resp) {
      if (resp.status === 200) {
        etag = resp.headers.get("ETag");
        return resp.json().then(apply);
      }
    }).catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { setTimeout(poll, document.hidden ? pollMs * 3 : pollMs); });
  }

  var initial = countdown && countdown.getAttribute("data-ends-at");
  if (initial) { endsAtMs = null; }
  setInterval(tick, 1000);
  poll();
})();

// The lane page: one basket at a time, driven by the scanner and the keyboard.
//
// It talks to the store's lane API (/api/v1) with the lane's cookie, the cashier's session
// and the CSRF token. Everything a sale is made of lives on the store box: reloading the
// page, or losing HQ, loses nothing.
//
// This is the page's entry module: it wires the others (one concern each, imported by
// their relative URLs, no build step) and starts the lane. lane.html preloads every module
// it imports, so that the browser fetches them all at once.

import { api, whenStoreBack } from "./api.js";
import { renderTotals, show } from "./basket.js";
import { openCustomerDisplay } from "./customer.js";
import { basketActions } from "./edits.js";
import { hhmm } from "./formats.js";
import { cancelWeighing } from "./items.js";
import { listenForKeys } from "./keys.js";
import { awake, listenForUnlock, lock, lockWhenIdle, showLock } from "./lock.js";
import { metrics } from "./metrics.js";
import { $ } from "./page.js";
import { closePaper, printFrame, printReceipt, reprint } from "./paper.js";
import { closePayment, listenForPayment, openPayment, startNewSale } from "./payment.js";
import { startReturn } from "./returns.js";
import { listenForWedge, pollPeripherals } from "./scanning.js";
import { listenForEntry } from "./search.js";
import { openShift, shiftMenu } from "./shift.js";
import { state } from "./state.js";
import { refreshStatus } from "./status.js";

const STATUS_MS = 5000;

// What each button does, by its data-action.
const actions = {
  ...basketActions, // quantity, void, price, discount, loyalty, coupon, suspend, resume
  return: () => startReturn(""),
  reprint,
  pay: () => openPayment(),
  "pay-close": closePayment,
  "new-sale": startNewSale,
  "print-receipt": printReceipt,
  "paper-print": printFrame,
  "paper-close": closePaper,
  "weigh-cancel": cancelWeighing,
  shift: () => shiftMenu(),
  display: openCustomerDisplay,
  lock: () => lock(),
};

function tick() {
  $("clock").textContent = hhmm(new Date());
}

let started = false;

function start() {
  tick();
  setInterval(tick, 10000);
  showLock(state.locked);
  lockWhenIdle();
  if (state.locked) {
    document.body.dataset.ready = "true";
    return;
  }
  begin();
}

async function begin() {
  started = true;
  // A basket left open on this lane (a reload, a crash) comes back.
  const open = await api("GET", "/baskets?status=open");
  if (open.ok && open.data.length) {
    const basket = await api("GET", `/baskets/${open.data[0].id}`);
    if (basket.ok) show(basket.data);
  }
  renderTotals();
  await refreshStatus();
  setInterval(refreshStatus, STATUS_MS);
  pollPeripherals();
  awake();
  metrics.ready = performance.now();
  document.body.dataset.ready = "true";
  if (state.shift === null && !state.locked) openShift();
}

whenStoreBack(refreshStatus);
listenForWedge();
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button || !actions[button.dataset.action]) return;
  event.preventDefault();
  if (button.disabled) return;
  actions[button.dataset.action]();
});
listenForPayment();
listenForUnlock(() => {
  if (!started) begin();
});
listenForEntry();
listenForKeys(actions);
start();

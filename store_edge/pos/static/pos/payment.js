// Paying: the payment dialog (cash with quick amounts, card on the lane's terminal), each
// payment recorded once however often it is sent, and the sale completed when nothing is due.
// On a lane with a payment terminal the till sends the amount due and the page follows the
// terminal (its prompts; "checking the terminal…" when the outcome is not known) and takes no
// other payment until it has answered. Without one, the card slip's reference is typed.

import { api, detail, serial } from "./api.js";
import { newSale, reload, show } from "./basket.js";
import { customerThanked } from "./customer.js";
import { MONEY } from "./formats.js";
import { say } from "./messages.js";
import { $ } from "./page.js";
import { refreshStatus } from "./status.js";
import { state } from "./state.js";
import { followTerminal, hasTerminal } from "./terminal.js";

export function openPayment() {
  const basket = state.basket;
  if (!basket || !basket.lines.length) {
    say("The basket is empty", "bad");
    return;
  }
  renderPayment();
  $("pay-error").textContent = "";
  $("pay").showModal();
  $("cash-amount").focus();
  if (Number(basket.amount_due) === 0 && Number(basket.amount_paid) > 0) complete();
}

function renderPayment() {
  const basket = state.basket;
  // A card pays the exact amount due; cash pays the amount due in cash, which the store
  // rounds to its cash increment while every tender of the sale is cash.
  $("pay-due").textContent = basket.amount_due;
  const cash = basket.cash_due;
  $("pay-cash-note").textContent = cash !== basket.amount_due ? `(${cash} in cash)` : "";
  $("card-amount").value = basket.amount_due;
  $("pay-terminal").hidden = !state.cardPayment;
  const quick = $("pay-quick");
  quick.textContent = "";
  const due = Number(cash);
  const amounts = [due];
  for (const note of [5, 10, 20, 50, 100]) {
    const rounded = Math.ceil(due / note) * note;
    if (rounded > due && !amounts.includes(rounded)) amounts.push(rounded);
  }
  for (const amount of amounts.slice(0, 5)) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = amount === due ? `Exact ${cash}` : amount.toFixed(2);
    button.onclick = () => payCash(amount === due ? cash : amount.toFixed(2));
    quick.appendChild(button);
  }
  const tenders = $("pay-tenders");
  tenders.textContent = "";
  if (Number(basket.amount_paid) > 0) {
    const item = document.createElement("li");
    item.textContent = `Paid so far: ${basket.amount_paid}`;
    tenders.appendChild(item);
  }
}

function holdButtons(held) {
  for (const button of document.querySelectorAll("#pay button")) button.disabled = held;
  // Leaving the dialog is fine while the terminal works; paying otherwise is not.
  document.querySelector('#pay [data-action="pay-close"]').disabled = false;
}

async function pay(body) {
  if (state.paying || state.cardPayment) return; // a double click pays once
  state.paying = true;
  holdButtons(true);
  // The same payment sent again (a retry after a timeout) is recorded once.
  state.paymentId = state.paymentId || crypto.randomUUID();
  try {
    const answer = await serial(() => api("POST", `/baskets/${state.basket.id}/payments`, { ...body, id: state.paymentId }));
    if (answer.status === 202 || answer.status === 402) {
      state.paymentId = null;
      await followCard(answer.data);
      return;
    }
    if (!answer.ok) {
      $("pay-error").textContent = detail(answer.data);
      if (answer.status !== 0) state.paymentId = null;
      if (answer.status === 409) await reload();
      return;
    }
    state.paymentId = null;
    show(answer.data);
    renderPayment();
    $("pay-error").textContent = "";
    if (Number(answer.data.amount_due) === 0) await complete();
  } finally {
    state.paying = false;
    if (!state.cardPayment) holdButtons(false);
  }
}

// A card payment at the terminal, followed until the terminal has answered: approved, it is
// the basket's tender; declined, nothing was charged and the cashier is told why; unknown,
// the gateway asks the terminal what became of it and the lane waits (a supervisor can
// release it).
async function followCard(payment) {
  state.cardPayment = payment.id;
  holdButtons(true);
  const status = $("pay-terminal");
  status.hidden = false;
  let current = payment;
  try {
    current = await followTerminal(payment, (text) => (status.textContent = text));
  } finally {
    state.cardPayment = null;
    status.hidden = true;
    holdButtons(false);
  }
  if (current.state === "declined") {
    $("pay-error").textContent = `Card declined: ${current.message || "not charged"}`;
    return;
  }
  if (current.state === "unresolved") {
    $("pay-error").textContent = "The terminal never said whether the card was charged: recorded for the supervisor";
    return;
  }
  await reload();
  renderPayment();
  $("pay-error").textContent = "";
  say(`Card approved${current.card_type ? ` (${current.card_type} …${current.card_last4})` : ""}`, "ok");
  if (Number(state.basket.amount_due) === 0) await complete();
}

// The lane's card payment still open at its terminal (after the page was reloaded, or on
// another tab): the page takes up its basket, follows the payment and takes no other
// payment meanwhile.
export async function onCardPayment(payment) {
  if (!payment || state.cardPayment || state.paying) return;
  state.cardPayment = payment.id;
  if (payment.basket_id && state.basket?.id !== payment.basket_id) {
    const answer = await api("GET", `/baskets/${payment.basket_id}`);
    if (answer.ok && answer.data.status === "open") show(answer.data);
  }
  if (state.basket?.id === payment.basket_id && !$("pay").open) {
    renderPayment();
    $("pay-error").textContent = "";
    $("pay").showModal();
  }
  state.cardPayment = null;
  await followCard(payment);
}

function payCash(amount) {
  const text = String(amount).trim();
  if (!MONEY.test(text)) {
    $("pay-error").textContent = "Cash received: write an amount like 20.00";
    return;
  }
  return pay({ method: "cash", amount: text.replace(",", ".") });
}

export function closePayment() {
  $("pay").close();
}

export function startNewSale() {
  $("done").close();
  newSale();
}

async function complete() {
  const answer = await serial(() => api("POST", `/baskets/${state.basket.id}/complete`));
  if (!answer.ok) {
    $("pay-error").textContent = detail(answer.data);
    return;
  }
  const sale = answer.data;
  state.lastSale = sale;
  customerThanked(sale);
  $("pay").close();
  $("done-change").textContent = sale.change;
  $("done-number").textContent = sale.number;
  const printing = {
    queued: "The receipt is printing",
    "not queued": "The receipt was not sent to the printer: press Last receipt",
  }[sale.receipt_printer];
  $("done-receipt").textContent = printing || "";
  $("done-print").hidden = sale.receipt_printer === "queued";
  $("cash-amount").value = "";
  $("card-ref").value = "";
  $("card-last4").value = "";
  $("done").showModal();
  refreshStatus();
}

export function listenForPayment() {
  $("pay-cash").addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = $("cash-amount").value;
    payCash(amount.trim() === "" ? state.basket.cash_due : amount);
  });

  $("pay-card").addEventListener("submit", (event) => {
    event.preventDefault();
    if (hasTerminal()) {
      // The amount is the till's: what is due now (or what is left of it).
      return void pay({ method: "card", amount: state.basket.amount_due });
    }
    const amount = $("card-amount").value.trim();
    const reference = $("card-ref").value.trim();
    const last4 = $("card-last4").value.trim();
    if (!MONEY.test(amount)) return void ($("pay-error").textContent = "Card amount: write it like 12.50");
    if (!/^[A-Za-z0-9-]{1,32}$/.test(reference)) return void ($("pay-error").textContent = "Terminal reference: as printed on the terminal's slip");
    if (!/^[0-9]{4}$/.test(last4)) return void ($("pay-error").textContent = "Only the card's last 4 digits");
    pay({ method: "card", amount: amount.replace(",", "."), terminal_reference: reference, card_last4: last4 });
  });

  $("done").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName !== "BUTTON") {
      event.preventDefault();
      startNewSale();
    }
  });
  $("done").addEventListener("close", () => {
    if (state.basket && state.basket.status !== "open") newSale();
  });
}

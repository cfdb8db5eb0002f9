// The basket on screen: its lines (the selected one, each promotion under its line), its
// totals, the weighing panel; and the basket itself, as the store last answered it.

import { api, detail } from "./api.js";
import { customerIdle, customerSees } from "./customer.js";
import { say } from "./messages.js";
import { $, cells } from "./page.js";
import { state } from "./state.js";

export async function ensureBasket() {
  if (state.basket && state.basket.status === "open") return state.basket.id;
  const answer = await api("POST", "/baskets");
  if (!answer.ok) throw new Error(detail(answer.data));
  show(answer.data);
  return answer.data.id;
}

export async function ensureOpen() {
  if (!state.basket || state.basket.status !== "open") await ensureBasket();
}

export async function reload() {
  if (!state.basket) return;
  const answer = await api("GET", `/baskets/${state.basket.id}`);
  if (answer.ok) show(answer.data);
}

export function show(basket) {
  state.basket = basket;
  customerSees(basket);
  if (!basket.lines.some((line) => line.id === state.selected)) {
    state.selected = basket.lines.length ? basket.lines[basket.lines.length - 1].id : null;
  }
  renderLines(false);
  renderTotals();
}

function fmtQuantity(line) {
  if (line.weight_kg !== null) return `${line.weight_kg} kg`;
  return String(Number(line.quantity));
}

export function renderLines(flashLast) {
  const body = $("lines");
  body.textContent = "";
  const lines = state.basket ? state.basket.lines : [];
  $("empty").hidden = lines.length > 0;
  lines.forEach((line, index) => {
    const row = document.createElement("tr");
    row.className = "line" + (line.id === state.selected ? " selected" : "");
    if (flashLast && index === lines.length - 1) row.classList.add("flash");
    row.dataset.id = line.id;
    row.dataset.sku = line.sku;
    // The line at its price, then what each promotion takes off (as on the receipt).
    const saved = line.adjustments.reduce((sum, a) => sum + Math.round(Number(a.amount) * 100), 0);
    const base = ((Math.round(Number(line.amount) * 100) + saved) / 100).toFixed(2);
    cells(row, [line.name, fmtQuantity(line), line.unit_price, base]);
    row.addEventListener("click", () => {
      state.selected = line.id;
      renderLines(false);
    });
    body.appendChild(row);
    for (const adjustment of line.adjustments) {
      const extra = document.createElement("tr");
      extra.className = "adjustment";
      cells(extra, [adjustment.reason, "", "", `-${adjustment.amount}`]);
      body.appendChild(extra);
    }
    if (line.prior_price) {
      // A reduced price shows the lowest price of the 30 days before it (EU Omnibus).
      const prior = document.createElement("tr");
      prior.className = "prior-price";
      cells(prior, [`Lowest 30-day price ${line.prior_price}`, "", "", ""]);
      body.appendChild(prior);
    }
  });
  const selected = body.querySelector("tr.selected");
  if (selected) selected.scrollIntoView({ block: "nearest" });
}

export function renderTotals() {
  const basket = state.basket;
  const zero = "0.00";
  $("subtotal").textContent = basket ? basket.subtotal : zero;
  $("discounts").textContent = basket && basket.discount_total !== zero ? `-${basket.discount_total}` : zero;
  $("tax").textContent = basket ? basket.tax_total : zero;
  $("total").textContent = basket ? basket.total : zero;
  $("paid").textContent = basket ? basket.amount_paid : zero;
  $("due").textContent = basket ? basket.amount_due : zero;
  const extras = [];
  if (basket && basket.member_card) extras.push(`Loyalty card ${basket.member_card}`);
  if (basket && basket.coupons.length) extras.push(`Coupons: ${basket.coupons.join(", ")}`);
  $("member").textContent = extras.join(" · ");
}

export function renderWeighing() {
  const panel = $("weigh");
  panel.hidden = !state.weighing;
  if (!state.weighing) return;
  $("weigh-name").textContent = state.weighing.name;
  $("weigh-note").textContent = state.weighing.note || "";
}

export function selectedLine() {
  if (!state.basket || !state.selected) {
    say("Select a line first", "bad");
    return null;
  }
  return state.basket.lines.find((line) => line.id === state.selected) || null;
}

// Select the line above or below (step -1 or 1): false when the basket has no such line.
export function moveSelection(step) {
  const lines = state.basket.lines;
  const index = lines.findIndex((line) => line.id === state.selected);
  const next = Math.max(0, Math.min(lines.length - 1, index + step));
  if (!lines[next]) return false;
  state.selected = lines[next].id;
  renderLines(false);
  return true;
}

export function newSale() {
  state.basket = null;
  state.selected = null;
  state.paymentId = null;
  customerIdle();
  renderLines(false);
  renderTotals();
  say(state.heldMessage, state.heldMessage ? "bad" : "");
  $("entry-input").focus();
}

// What the customer sees: the lane page tells the customer display (/pos/display, a window
// the lane opens on its second monitor, in the same browser) everything it shows the
// customer, as it changes: the lines with their savings, the total, what is paid, the
// change and a thank-you, then the idle screen. Nothing goes through the network: the two
// windows talk over a BroadcastChannel of the lane's own, and a display opened late asks
// for the current screen.

import { app } from "./page.js";

const channel = "BroadcastChannel" in window ? new BroadcastChannel(`pos-display-${app.dataset.lane}`) : null;
let current = { kind: "idle" };

function post(screen) {
  // A BroadcastChannel is same-origin by definition: it takes no target origin.
  // eslint-disable-next-line unicorn/require-post-message-target-origin
  if (channel) channel.postMessage(screen);
}

function tell(screen) {
  current = screen;
  post(screen);
}

if (channel) {
  channel.onmessage = (event) => {
    if (event.data && event.data.kind === "hello") post(current);
  };
}

export function openCustomerDisplay() {
  window.open(`${window.location.pathname.replace(/\/$/, "")}/display`, `customer-display-${app.dataset.lane}`, "popup");
}

export function customerSees(basket) {
  if (!basket || !basket.lines.length) return tell({ kind: "idle" });
  tell({
    kind: "basket",
    lines: basket.lines.map((line) => ({
      name: line.name,
      quantity: line.weight_kg !== null ? `${line.weight_kg} kg` : String(Number(line.quantity)),
      amount: line.amount,
      savings: line.adjustments.map((a) => ({ reason: a.reason, amount: a.amount })),
    })),
    savings: basket.discount_total,
    total: basket.total,
    paid: basket.amount_paid,
    due: basket.amount_due,
  });
}

export function customerThanked(sale) {
  tell({ kind: "done", total: sale.total, paid: sale.amount_paid, change: sale.change });
}

export function customerIdle() {
  tell({ kind: "idle" });
}

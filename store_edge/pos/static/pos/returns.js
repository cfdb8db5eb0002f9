// Returns: by the receipt (its barcode scanned or its number typed), what comes back
// refunded to the card first and the rest in cash; without a receipt, in cash at today's
// price with a supervisor's approval. On a lane with a terminal the card's part is refunded
// on the terminal for the till's amount; the cashier types nothing of the card.

import { api, detail } from "./api.js";
import { ask, supervisorFields } from "./dialogs.js";
import { SALE_NUMBER } from "./formats.js";
import { say } from "./messages.js";
import { $, cells } from "./page.js";
import { printPaper, receiptUrl } from "./paper.js";
import { refreshStatus } from "./status.js";
import { state } from "./state.js";
import { followTerminal, hasTerminal } from "./terminal.js";

export async function startReturn(number) {
  if (state.basket && state.basket.lines.length && state.basket.status === "open") {
    say("Finish or suspend this sale before a return", "bad");
    return;
  }
  let values = { number };
  if (!number) {
    const noReceipt = document.createElement("button");
    noReceipt.type = "button";
    noReceipt.textContent = "No receipt (supervisor)";
    let without = false;
    noReceipt.onclick = () => {
      without = true;
      $("form").requestSubmit();
    };
    const fields = [{ name: "number", label: "Sale number (scan the receipt or type it)", hint: "01-0000042", optional: true, maxlength: 12 }, { element: noReceipt }];
    fields.validate = (v) => (without || SALE_NUMBER.test(v.number) ? "" : "Sale number: write it like 01-0000042");
    values = await ask("Return", fields, { submit: "Find the sale", scan: "number" });
    if (!values) return;
    if (without) return returnWithoutReceipt();
  }
  const found = await api("GET", `/returns/sales/${encodeURIComponent(values.number)}`);
  if (!found.ok) {
    say(detail(found.data), "bad");
    return;
  }
  const sale = found.data;
  const table = document.createElement("table");
  table.className = "return-lines";
  for (const line of sale.lines) {
    const row = document.createElement("tr");
    const unit = line.weight_kg !== null ? "kg" : "";
    cells(row, [line.name, `${line.amount}`, `${Number(line.returnable)} ${unit} left`]);
    const cell = document.createElement("td");
    const input = document.createElement("input");
    input.name = `line-${line.id}`;
    input.inputMode = "decimal";
    input.value = "0";
    input.disabled = Number(line.returnable) === 0;
    input.setAttribute("aria-label", `Return quantity of ${line.name}`);
    cell.appendChild(input);
    row.appendChild(cell);
    table.appendChild(row);
  }
  const fields = [{ element: table }];
  const card = Number(sale.tenders.card || 0) > 0;
  if (card && !hasTerminal()) {
    fields.push(
      { name: "terminal_reference", label: "Card refund: terminal reference", optional: true, maxlength: 32 },
      { name: "card_last4", label: "Card's last 4 digits", optional: true, maxlength: 4, inputmode: "numeric", pattern: /^[0-9]{4}$/, hint: "as 4 digits" },
    );
  }
  const quantities = {};
  fields.validate = (_, form) => {
    for (const line of sale.lines) {
      const text = form.elements[`line-${line.id}`].value.trim().replace(",", ".");
      if (!/^[0-9]{1,4}(\.[0-9]{1,3})?$/.test(text)) return `${line.name}: write a quantity like 1`;
      const quantity = Number(text);
      if (quantity > Number(line.returnable)) return `${line.name}: at most ${Number(line.returnable)} can come back`;
      if (quantity > 0) quantities[line.id] = text;
    }
    return Object.keys(quantities).length ? "" : "Choose what comes back";
  };
  const intro = `Sale ${sale.number} of ${new Date(sale.completed_at).toLocaleString()}, ${sale.total}` + (card ? " — paid partly by card: it is refunded to the card first" : "");
  const chosen = await ask("Return items", fields, { submit: "Refund", intro });
  if (!chosen) return;
  const body = {
    sale_number: sale.number,
    lines: Object.entries(quantities).map(([line_id, quantity]) => ({ line_id, quantity })),
    terminal_reference: chosen.terminal_reference || "",
    card_last4: chosen.card_last4 || "",
  };
  let refund = await api("POST", "/returns", body);
  if (refund.status === 202 || refund.status === 402) refund = await refundOnTerminal(refund, body);
  if (refund) refunded(refund);
}

// The card's part on the terminal: followed until it answers, then the return is recorded
// with the terminal's refund (sent again with it, it is recorded once).
async function refundOnTerminal(answer, body) {
  let refund = answer.data;
  if (answer.status === 202) refund = await followTerminal(refund, (text) => say(`Card refund ${refund.amount}: ${text}`));
  if (refund.state !== "approved") {
    const why = refund.state === "unresolved" ? "the terminal never said: recorded for the supervisor" : refund.message || "not refunded";
    say(`Card refund ${refund.amount} not done: ${why}`, "bad");
    return null;
  }
  return api("POST", "/returns", { ...body, terminal_refund: refund.id });
}

async function returnWithoutReceipt() {
  const values = await ask("Return without receipt", [
    { name: "code", label: "Item (scan or type its code)", maxlength: 64 },
    { name: "quantity", label: "Quantity", value: "1", inputmode: "decimal", pattern: /^[0-9]{1,3}([.,][0-9]{1,3})?$/, hint: "like 1" },
    ...supervisorFields,
  ], { submit: "Refund in cash", intro: "Refunded in cash at today's price, with a supervisor's approval.", scan: "code" });
  if (!values) return;
  const refund = await api("POST", "/returns/without-receipt", { ...values, quantity: values.quantity.replace(",", ".") });
  refunded(refund);
}

function refunded(answer) {
  if (!answer.ok) {
    say(detail(answer.data), "bad");
    return;
  }
  const sale = answer.data;
  state.lastSale = sale;
  const parts = sale.tenders.map((t) => `${t.method} ${t.amount.replace("-", "")}`);
  say(`Refund ${sale.number}: ${parts.join(" + ")}`, "ok");
  // The lane's printer prints the return's receipt; without one, the browser does.
  if (sale.receipt_printer !== "queued") printPaper(receiptUrl(sale.id));
  refreshStatus();
}

// Receipts and shift reports: shown in the page's paper frame, and printed from it.

import { api, detail } from "./api.js";
import { say } from "./messages.js";
import { $, app } from "./page.js";
import { state } from "./state.js";

export function receiptUrl(saleId) {
  return app.dataset.receiptUrl.replace("00000000-0000-0000-0000-000000000000", saleId);
}

export function reportUrl(shiftId) {
  return app.dataset.reportUrl.replace("00000000-0000-0000-0000-000000000000", shiftId);
}

export function showPaper(url) {
  $("paper-frame").src = url;
  $("paper").showModal();
}

export function printPaper(url) {
  const frame = $("paper-frame");
  frame.onload = () => {
    frame.onload = null;
    frame.contentWindow.print();
  };
  showPaper(url);
}

// "Last receipt": on a lane with a receipt printer, the printer prints it (the receipt held
// when the printer could not, or a copy marked as a reprint); otherwise the page shows it.
export async function reprint() {
  if (!state.lastSale) {
    say("No sale on this lane since the page opened", "bad");
    return;
  }
  if (state.hasPrinter) {
    const answer = await api("POST", `/sales/${state.lastSale.id}/print`);
    if (answer.ok && answer.data.receipt_printer === "queued") {
      say(`Receipt ${state.lastSale.number} sent to the printer`, "ok");
      return;
    }
    if (!answer.ok) say(detail(answer.data), "bad");
  }
  showPaper(receiptUrl(state.lastSale.id) + "?reprint=1");
}

export function printReceipt() {
  if (state.hasPrinter) return void reprint();
  printPaper(receiptUrl(state.lastSale.id));
}

export function printFrame() {
  $("paper-frame").contentWindow.print();
}

export function closePaper() {
  $("paper").close();
}

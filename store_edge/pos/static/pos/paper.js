// Receipts and shift reports: shown in the page's paper frame, and printed from it.

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

export function reprint() {
  if (!state.lastSale) {
    say("No sale on this lane since the page opened", "bad");
    return;
  }
  showPaper(receiptUrl(state.lastSale.id) + "?reprint=1");
}

export function printReceipt() {
  printPaper(receiptUrl(state.lastSale.id));
}

export function printFrame() {
  $("paper-frame").contentWindow.print();
}

export function closePaper() {
  $("paper").close();
}

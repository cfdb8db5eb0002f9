// What the page knows of the lane at this moment, shared by the other modules.

import { app } from "./page.js";

export const state = {
  basket: null, // the basket as the API last answered it
  selected: null, // the selected line's id
  weighing: null, // {code, name}: a weighed item waiting for a stable weight
  lastSale: null,
  hasPrinter: false, // the lane has a receipt printer (the gateway prints its receipts)
  heldSeen: 0, // the last held print job the cashier was told of
  heldMessage: "", // what the cashier is told while the last receipt is held ("" once printed)
  shift: undefined, // the open shift's X report; null when none is open
  since: null, // scans relayed by the gateway are taken after this time
  locked: app.dataset.locked === "true",
  results: [],
  active: -1,
  paymentId: null,
  paying: false,
  cardPayment: null, // the card payment being followed at the lane's terminal
};

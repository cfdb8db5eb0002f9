// The customer display: a second window of the lane page's browser, on the monitor that
// faces the customer. It shows what the lane page tells it (customer.js): a welcome while
// the lane is idle, the lines as they are scanned with what each promotion saves, the total
// and what is paid, then the change and a thank-you.

const root = document.getElementById("display");
const $ = (id) => document.getElementById(id);
const channel = new BroadcastChannel(`pos-display-${root.dataset.lane}`);

function screen(name) {
  for (const section of root.querySelectorAll("section")) section.hidden = section.id !== name;
  root.dataset.screen = name;
}

function row(cells, className) {
  const tr = document.createElement("tr");
  if (className) tr.className = className;
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
  }
  return tr;
}

function showBasket(basket) {
  const body = $("display-lines");
  body.textContent = "";
  for (const line of basket.lines) {
    body.appendChild(row([line.name, line.quantity, line.amount], "line"));
    for (const saving of line.savings) body.appendChild(row([saving.reason, "", `-${saving.amount}`], "saving"));
  }
  const last = body.lastElementChild;
  if (last) last.scrollIntoView({ block: "end" });
  $("display-savings").textContent = basket.savings;
  $("display-savings-row").hidden = Number(basket.savings) === 0;
  $("display-total").textContent = basket.total;
  $("display-paid").textContent = basket.paid;
  $("display-paid-row").hidden = Number(basket.paid) === 0;
  $("display-due").textContent = basket.due;
  screen("display-basket");
}

function showDone(sale) {
  $("display-done-total").textContent = sale.total;
  $("display-done-paid").textContent = sale.paid;
  $("display-change").textContent = sale.change;
  screen("display-done");
}

channel.onmessage = (event) => {
  const message = event.data || {};
  if (message.kind === "basket") showBasket(message);
  else if (message.kind === "done") showDone(message);
  else if (message.kind === "idle") screen("display-idle");
};
screen("display-idle");
// A BroadcastChannel is same-origin by definition: it takes no target origin.
// eslint-disable-next-line unicorn/require-post-message-target-origin
channel.postMessage({ kind: "hello" });
document.body.dataset.ready = "true";

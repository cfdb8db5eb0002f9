// The code field: a code typed and Enter rings it up like a scan; a name typed searches the
// store's catalogue, the results chosen by click, or by ↑/↓ and Enter.

import { api } from "./api.js";
import { say } from "./messages.js";
import { $ } from "./page.js";
import { onScan } from "./scanning.js";
import { state } from "./state.js";

const entry = $("entry-input");
let searchTimer = null;
let searchSerial = 0;

export function listenForEntry() {
  $("entry").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = entry.value.trim();
    if (!text) return;
    if (state.active >= 0 && state.results[state.active]) {
      pick(state.results[state.active]);
      return;
    }
    if (/^[0-9A-Za-z()-]+$/.test(text) && /[0-9]/.test(text) && !/[a-z]{3}/i.test(text)) {
      entry.value = "";
      hideResults();
      onScan(text, "typed");
      return;
    }
    search(text);
  });

  entry.addEventListener("input", () => {
    clearTimeout(searchTimer);
    const text = entry.value.trim();
    if (text.length < 3 || /^[0-9]+$/.test(text)) {
      hideResults();
      return;
    }
    searchTimer = setTimeout(() => search(text), 150);
  });

  entry.addEventListener("keydown", (event) => {
    if ($("results").hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      state.active = Math.max(0, Math.min(state.results.length - 1, state.active + step));
      renderResults();
    }
  });
}

async function search(text) {
  const mine = ++searchSerial;
  const answer = await api("GET", `/products?q=${encodeURIComponent(text)}&limit=12`);
  if (mine !== searchSerial || !answer.ok) return;
  state.results = answer.data;
  state.active = answer.data.length ? 0 : -1;
  renderResults();
  if (!answer.data.length) say(`No product matches “${text}”`, "bad");
}

function renderResults() {
  const list = $("results");
  list.textContent = "";
  list.hidden = state.results.length === 0;
  state.results.forEach((product, index) => {
    const item = document.createElement("li");
    item.className = index === state.active ? "active" : "";
    const name = document.createElement("span");
    name.textContent = product.name;
    const price = document.createElement("span");
    price.textContent = `${product.price}${product.unit === "kg" ? "/kg" : ""}`;
    item.append(name, price);
    item.addEventListener("click", () => pick(product));
    list.appendChild(item);
  });
}

function hideResults() {
  state.results = [];
  state.active = -1;
  $("results").hidden = true;
}

function pick(product) {
  entry.value = "";
  hideResults();
  const code = product.barcodes[0] || product.plu || product.sku;
  onScan(code, "search");
}

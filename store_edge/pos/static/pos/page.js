// The lane page's document: the #app element, whose data attributes carry the lane's
// settings (lane, cashier, lock state, the URLs of the lock, the receipts and the reports),
// and the small helpers that find and fill the page's elements.

export const app = document.getElementById("app");

export const $ = (id) => document.getElementById(id);

// A table row's cells; all but the first hold numbers.
export function cells(row, values) {
  values.forEach((value, index) => {
    const cell = document.createElement("td");
    cell.textContent = value;
    if (index > 0) cell.className = "num";
    row.appendChild(cell);
  });
}

// How a cashier writes a sale number (a receipt's barcode) or an amount of money, and how
// the page writes a time of day.

export const SALE_NUMBER = /^[0-9]{2,3}-[0-9]{7}$/;
export const MONEY = /^[0-9]{1,7}([.,][0-9]{1,2})?$/;

export function hhmm(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

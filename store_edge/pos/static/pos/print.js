// A receipt or report opened to print: print it once it has loaded.
window.addEventListener("load", () => window.print());

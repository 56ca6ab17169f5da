// The Jalali date picker on every date field (a file, not an inline script: the site's
// Content-Security-Policy allows scripts from our own origin only).
document.addEventListener("DOMContentLoaded", function () {
  if (window.jalaliDatepicker) {
    window.jalaliDatepicker.startWatch({ persianDigits: true });
  }
});

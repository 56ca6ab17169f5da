// A live count under every long text field (a reason, a justification, a legal ground): how much
// is typed of how much is allowed, in the page's digits. The limit itself is the field's
// maxlength, which the server enforces again; this only shows it while typing.
document.addEventListener("DOMContentLoaded", function () {
  var persian = (document.documentElement.lang || "").indexOf("fa") === 0;
  function digits(n) {
    var text = String(n);
    return persian ? text.replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹".charAt(+d); }) : text;
  }
  var fields = document.querySelectorAll("textarea[maxlength]");
  Array.prototype.forEach.call(fields, function (field) {
    var max = Number(field.getAttribute("maxlength"));
    if (!max) return;
    var counter = document.createElement("small");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    function update() {
      counter.textContent = digits(field.value.length) + " / " + digits(max);
      counter.classList.toggle("near", field.value.length > max * 0.9);
    }
    field.addEventListener("input", update);
    update();
  });
});

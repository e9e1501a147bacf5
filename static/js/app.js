/* Small behaviours every page may use, hung on data- attributes so that the Content-Security-Policy needs no inline
   script (see CONTENT_SECURITY_POLICY in config/settings.py). Listeners sit on the document, so content swapped in
   by htmx works too.
     data-confirm="Question?"   on a button or link: asks first; "Cancel" stops the click (and the form submission).
     data-check-all="selector"  on a checkbox: ticks or clears every checkbox the selector matches.
     data-autosubmit            on a form control: submits its form when the value changes. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var selector = target.getAttribute("data-check-all");
    if (selector !== null) {
      document.querySelectorAll(selector).forEach(function (box) { box.checked = target.checked; });
    }
    if (target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
})();

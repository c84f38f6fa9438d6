// badgesmith verification page: small enhancements only; the form works
// without this file. No credential content is ever handed to this script.
(function () {
  "use strict";
  var form = document.getElementById("verify-form");
  var verdict = document.getElementById("verdict");
  if (verdict) {
    // Bring keyboard and screen-reader focus to the answer.
    verdict.setAttribute("tabindex", "-1");
    verdict.focus();
  }
  if (!form) {
    return;
  }
  var file = document.getElementById("file");
  var chosen = document.getElementById("file-chosen");
  function announce() {
    var f = file.files && file.files[0];
    chosen.textContent = f ? chosen.getAttribute("data-template").replace("%s", f.name) : "";
  }
  file.addEventListener("change", announce);
  form.addEventListener("dragover", function (e) { e.preventDefault(); });
  form.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length > 0) {
      file.files = e.dataTransfer.files;
      announce();
    }
  });
})();

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
  var emailForm = document.getElementById("email-form");
  if (emailForm) {
    emailForm.addEventListener("submit", function (e) {
      e.preventDefault();
      checkEmail(emailForm);
    });
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

  // checkEmail compares an email address with the recipient's identity
  // hash: sha256$ in the browser (crypto.subtle, in a secure context), so
  // the address never leaves the page; md5$, or no crypto.subtle, through
  // the server's check, which stores nothing.
  function checkEmail(f) {
    var email = document.getElementById("email").value.trim();
    var hash = f.getAttribute("data-hash"), salt = f.getAttribute("data-salt");
    var out = document.getElementById("email-result");
    function show(match) {
      out.textContent = f.getAttribute(match ? "data-match" : "data-nomatch");
      out.setAttribute("data-match", match ? "true" : "false");
    }
    var parts = hash.split("$");
    if (parts.length === 2 && parts[0].toLowerCase() === "sha256" && window.crypto && window.crypto.subtle) {
      window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(email + salt)).then(function (buf) {
        var hex = Array.prototype.map.call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
        show(hex === parts[1].toLowerCase());
      });
      return;
    }
    var body = new URLSearchParams({ hash: hash, salt: salt, email: email });
    fetch(f.getAttribute("data-action"), { method: "POST", body: body, credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (j) { show(j.match === true); });
  }
})();

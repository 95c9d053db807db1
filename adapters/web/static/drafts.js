// Saves a record form as a server-side draft while it is typed (adapters/web/record_pages.py).
// Without this script the form's "Save draft" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-url]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("draft-status");
  var timer = null;
  var pending = false;
  var submitting = false;
  var lastSaved = status && /\d\d:\d\d:\d\d/.test(status.textContent) ? status.textContent.match(/\d\d:\d\d:\d\d/)[0] : null;

  function say(text) { if (status) { status.textContent = text; } }

  function save() {
    timer = null;
    var body = new FormData(form);
    body.delete("action");
    pending = true;
    fetch(form.dataset.draftUrl, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        pending = false;
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 303) {
          say("Your session has ended. " + (lastSaved ? "Your draft was last saved at " + lastSaved + "; " : "") +
              "anything typed since is only on this page: copy it, then sign in again and open the draft from My work.");
          return null;
        }
        return response.json().then(function (answer) {
          if (answer.saved) {
            lastSaved = answer.at;
            say("Draft saved at " + answer.at + ".");
            var url = new URL(window.location.href);
            var id = form.querySelector("input[name=draft_id]").value;
            if (url.searchParams.get("draft") !== id) {
              url.searchParams.set("draft", id);
              window.history.replaceState(null, "", url.toString());
            }
          } else {
            say("The draft could not be saved: " + answer.error + ".");
          }
        });
      })
      .catch(function () { pending = false; say("The draft could not be saved just now; it will be tried again as you type."); });
  }

  function changed() {
    if (submitting) { return; }
    say("Saving draft…");
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 700);
  }

  form.addEventListener("submit", function () {
    submitting = true;  // the submit saves the draft itself; no late save after it
    if (timer) { clearTimeout(timer); timer = null; }
  });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  window.addEventListener("pagehide", function () {
    if (timer && !submitting) {
      clearTimeout(timer);
      var body = new FormData(form);
      body.delete("action");
      if (navigator.sendBeacon) { navigator.sendBeacon(form.dataset.draftUrl, body); }
    }
  });
  form.dataset.draftsReady = pending ? "saving" : "ready";
})();

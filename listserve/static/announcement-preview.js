// Live preview of an announcement being written: the form is posted (with its CSRF token) to
// the preview endpoint as the person types, and the email comes back as HTML (shown in a
// sandboxed frame, no scripts) and plain text. Without JavaScript the Preview button does the same.
(function () {
  "use strict";
  const form = document.querySelector("form[data-preview-url]");
  if (!form) return;
  const target = {
    subject: document.querySelector('[data-preview="subject"]'),
    html: document.querySelector('[data-preview="html"]'),
    text: document.querySelector('[data-preview="text"]'),
  };
  let timer = null;
  let latest = 0;

  async function refresh() {
    const ticket = ++latest;
    const body = new FormData(form);
    body.delete("action");
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      if (!response.ok || ticket !== latest) return;
      const preview = await response.json();
      target.subject.textContent = preview.subject;
      target.html.srcdoc = preview.html;
      target.text.textContent = preview.text;
    } catch (error) {
      // Offline for a moment: the next keystroke tries again; the Preview button still works.
    }
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  refresh();
})();

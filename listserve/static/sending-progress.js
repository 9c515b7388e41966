// Live delivery progress: polls the progress endpoint and updates the counts already on the
// page (which also work without JavaScript, through the Refresh link).
(function () {
  "use strict";
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const field = (name) => box.querySelector('[data-progress="' + name + '"]');

  // The page gives the words, in its own language ("{rate}", "{minutes}", "{seconds}" filled in).
  const rateText = box.dataset.rateText || "{rate} a minute";
  const leftText = box.dataset.leftText || "{minutes} min {seconds} s";

  function minutes(seconds) {
    if (seconds === null) return "–";
    return leftText.replace("{minutes}", Math.floor(seconds / 60)).replace("{seconds}", seconds % 60);
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.progressUrl, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      if (!response.ok) return;
      const p = await response.json();
      for (const name of ["queued", "sent", "failed", "total"]) {
        field(name).textContent = p[name];
      }
      field("state").textContent = p.state_label || p.state;
      field("per_minute").textContent = p.per_minute ? rateText.replace("{rate}", p.per_minute) : "–";
      field("seconds_left").textContent = minutes(p.seconds_left);
      const bar = field("bar");
      bar.max = p.total || 1;
      bar.value = p.sent + p.failed;
      if (!p.done) {
        setTimeout(poll, 2000);
      } else {
        // Finished: the rate and time left mean nothing any more; the archive link does.
        for (const steering of document.querySelectorAll("[data-while-sending]")) {
          steering.hidden = true;
        }
        for (const shown of document.querySelectorAll("[data-when-done]")) {
          shown.hidden = false;
        }
        const heading = document.querySelector('[data-progress="heading"]');
        if (heading && p.state === "finished") heading.textContent = heading.dataset.doneText;
      }
    } catch (error) {
      setTimeout(poll, 5000);
    }
  }
  setTimeout(poll, 2000);
})();

// The decision form: the reason is required for the decisions that need one (reject, escalate),
// and marked so as soon as such a decision is chosen.  Without this script the server refuses a
// missing reason with the same message and keeps what was typed.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("resolve-form");
  const reason = document.getElementById("reason");
  const marker = document.getElementById("reason-required");
  if (!form || !reason || !marker) return;
  const update = () => {
    const chosen = form.querySelector('input[name="to"]:checked');
    const needed = Boolean(chosen && chosen.dataset.needsReason);
    reason.required = needed;
    reason.setAttribute("aria-required", String(needed));
    marker.hidden = !needed;
  };
  form.addEventListener("change", update);
  update();
});

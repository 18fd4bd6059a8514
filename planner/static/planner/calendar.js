/* The calendar's drag and drop, in plain JavaScript on pointer events (no library: pointer events
   give one path for the mouse and the pen, and a test drives them like a person does; HTML5's
   drag and drop gives no control over the picture dragged and none over a refused drop).

   A pin (or a draft of the sidebar) is picked up after a few pixels of movement; it is dropped on
   a free queue slot (that slot's time), an hour of the week (that hour, to the quarter under the
   pointer) or a day of the month or the agenda (the pin's own time that day, 09:00 for a draft).
   The move is posted to the pin's "move" URL (the planner's JSON answer of ``pin_schedule``, the
   API's schedule service): on success the page is read again, showing where the pin now is; on a
   refusal the pin snaps back and the service's reason is shown. Escape cancels a drag.

   Without this script every pin still has its "Move" control (a date-time and a button, a plain
   form POST), which is also the keyboard's way, and a phone's (touch does not start a drag, so a
   finger scrolls the page as it should). */
(function () {
  "use strict";
  var layout = document.querySelector(".cal-layout");
  if (!layout) return;
  var toast = document.getElementById("cal-toast");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var THRESHOLD = 6;
  var EDGE = 60;
  var drag = null;
  var swallowClick = false;

  function say(text, bad) {
    toast.textContent = text;
    toast.classList.toggle("is-bad", !!bad);
    toast.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { toast.hidden = true; }, bad ? 9000 : 5000);
  }

  function targetAt(x, y) {
    var element = document.elementFromPoint(x, y);
    if (!element || element.closest(".cal-drafts")) return null;
    return element.closest("[data-exact], [data-at], [data-date]");
  }

  function instantFor(target, y, pin) {
    if (target.hasAttribute("data-exact")) return target.dataset.at;
    if (target.dataset.at) {
      var rect = target.getBoundingClientRect();
      var quarter = Math.min(3, Math.max(0, Math.floor(((y - rect.top) / rect.height) * 4)));
      return new Date(Date.parse(target.dataset.at) + quarter * 15 * 60000).toISOString();
    }
    return target.dataset.date + "T" + (pin.dataset.time || "09:00");
  }

  function begin(event) {
    var pin = drag.pin;
    var rect = pin.getBoundingClientRect();
    var ghost = pin.cloneNode(true);
    ghost.querySelectorAll("[id], details").forEach(function (node) {
      if (node.tagName === "DETAILS") node.remove(); else node.removeAttribute("id");
    });
    ghost.classList.add("cal-ghost");
    ghost.setAttribute("aria-hidden", "true");
    ghost.style.width = rect.width + "px";
    document.body.appendChild(ghost);
    drag.ghost = ghost;
    drag.dx = event.clientX - rect.left;
    drag.dy = event.clientY - rect.top;
    pin.classList.add("is-dragging");
  }

  function follow(event) {
    drag.ghost.style.left = event.clientX - drag.dx + "px";
    drag.ghost.style.top = event.clientY - drag.dy + "px";
    var target = targetAt(event.clientX, event.clientY);
    if (target !== drag.target) {
      if (drag.target) drag.target.classList.remove("is-drop");
      if (target) target.classList.add("is-drop");
      drag.target = target;
    }
    if (event.clientY < EDGE) window.scrollBy(0, -16);
    else if (event.clientY > window.innerHeight - EDGE) window.scrollBy(0, 16);
  }

  function snapBack(state, reason) {
    var rect = state.pin.getBoundingClientRect();
    state.ghost.classList.add("is-snapping");
    state.ghost.style.left = rect.left + "px";
    state.ghost.style.top = rect.top + "px";
    setTimeout(function () {
      state.ghost.remove();
      state.pin.classList.remove("is-dragging");
      if (reason) {
        state.pin.classList.add("is-refused");
        setTimeout(function () { state.pin.classList.remove("is-refused"); }, 500);
      }
    }, 260);
    if (reason) {
      state.pin.dataset.refused = reason;
      say(reason, true);
    }
  }

  function drop(state, event) {
    var target = state.target;
    if (target) target.classList.remove("is-drop");
    if (!target) { snapBack(state); return; }
    var body = new FormData();
    body.append("at", instantFor(target, event.clientY, state.pin));
    fetch(state.pin.dataset.move, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, error: "Not moved: the server answered " + response.status + "." };
      });
    }).then(function (answer) {
      if (!answer.ok) { snapBack(state, answer.error); return; }
      say(answer.message);
      window.location.reload();
    }).catch(function () {
      snapBack(state, "Not moved: the server could not be reached.");
    });
  }

  layout.addEventListener("pointerdown", function (event) {
    swallowClick = false;
    if (event.button !== 0 || event.pointerType === "touch") return;
    var pin = event.target.closest(".cal-pin");
    if (!pin || !pin.dataset.move || event.target.closest(".cal-move")) return;
    drag = { pin: pin, x: event.clientX, y: event.clientY, ghost: null, target: null };
  });
  document.addEventListener("pointermove", function (event) {
    if (!drag) return;
    if (!drag.ghost) {
      if (Math.hypot(event.clientX - drag.x, event.clientY - drag.y) < THRESHOLD) return;
      begin(event);
    }
    event.preventDefault();
    follow(event);
  });
  document.addEventListener("pointerup", function (event) {
    if (!drag) return;
    var state = drag;
    drag = null;
    if (state.ghost) { swallowClick = true; drop(state, event); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && drag && drag.ghost) {
      if (drag.target) drag.target.classList.remove("is-drop");
      snapBack(drag);
      drag = null;
    }
  });
  // A drag ends in a click on the pin's link: not followed.
  layout.addEventListener("click", function (event) {
    if (swallowClick) { event.preventDefault(); event.stopPropagation(); swallowClick = false; }
  }, true);
  // A link or an image would start the browser's own drag.
  layout.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".cal-pin")) event.preventDefault();
  });
})();

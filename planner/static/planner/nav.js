/* The planner's top bar on a narrow screen: the nav folds behind a "Menu" button (brand, "New pin"
   and the button stay on one line). Without this script the nav shows, wrapped, under the brand.
   The button says its state (aria-expanded); opening moves focus to the first link, Escape or a
   click or the focus elsewhere closes it (Escape gives focus back to the button); widening the window past the
   fold shows the whole nav again. */
(function () {
  "use strict";
  var top = document.querySelector(".pl-top");
  var button = top && top.querySelector(".pl-menu-btn");
  var nav = top && document.getElementById("pl-nav");
  if (!button || !nav) return;
  top.classList.add("pl-js");
  button.hidden = false;

  function setOpen(open, focusButton) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    top.classList.toggle("pl-open", open);
    if (open) {
      var first = nav.querySelector("a, button");
      if (first) first.focus();
    } else if (focusButton) {
      button.focus();
    }
  }

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true", false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && top.classList.contains("pl-open")) setOpen(false, true);
  });
  top.addEventListener("focusout", function (event) {  // tabbing past "Log out" closes it
    if (top.classList.contains("pl-open") && event.relatedTarget && !top.contains(event.relatedTarget)) {
      setOpen(false, false);
    }
  });
  document.addEventListener("click", function (event) {
    if (top.classList.contains("pl-open") && !top.contains(event.target)) setOpen(false, false);
  });
  var wide = window.matchMedia("(min-width: 1061px)");
  var onWide = function () { if (wide.matches) setOpen(false, false); };
  if (wide.addEventListener) wide.addEventListener("change", onWide);
})();

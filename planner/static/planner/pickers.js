/* The planner's pickers, shared by the composer and the bulk page: a select narrowed to the options
 * a rule keeps (the articles and boards of a project, the sections of a board), from the options
 * the page was rendered with. */
(function () {
  "use strict";
  window.plannerNarrower = function (form, names) {
    const field = (name) => form.elements.namedItem(name);
    const originals = {};
    names.forEach((name) => {
      originals[name] = Array.from(field(name).options).map((option) => ({ value: option.value, text: option.text }));
    });
    return function narrow(name, keep) {
      const select = field(name);
      const current = select.value;
      select.replaceChildren();
      originals[name].forEach(({ value, text }) => {
        if (value === "" || keep(value)) select.appendChild(new Option(text, value, false, value === current));
      });
      if (select.value !== current) select.dispatchEvent(new Event("change", { bubbles: true }));
    };
  };
})();

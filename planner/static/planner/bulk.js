/* The bulk pages' live parts. On the pins list: the count of pins selected, "select all", only the
 * fields the chosen action needs, and a confirmation before deleting. On the bulk page: dropped
 * images go into the file input (at most the page's limit, said plainly), each listed with the
 * title its file name gives; the project narrows the articles and boards offered. The pages work
 * without it; the server judges everything sent. */
(function () {
  "use strict";

  // --- the pins list --------------------------------------------------------------------------
  const bulkForm = document.getElementById("bulk-form");
  if (bulkForm) {
    const boxes = Array.from(bulkForm.querySelectorAll("input[name=pins]"));
    const all = bulkForm.querySelector("[data-select-all]");
    const count = document.getElementById("selected-count");
    const action = bulkForm.elements.namedItem("action");

    const selected = () => boxes.filter((box) => box.checked);
    function update() {
      const n = selected().length;
      count.textContent = n ? `${n} selected` : "None selected";
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
      boxes.forEach((box) => box.closest(".pl-pin-card").classList.toggle("is-selected", box.checked));
      bulkForm.querySelectorAll("[data-for-action]").forEach((node) => {
        node.hidden = node.dataset.forAction !== action.value;
      });
    }
    all.addEventListener("change", () => { boxes.forEach((box) => { box.checked = all.checked; }); update(); });
    bulkForm.addEventListener("change", update);
    bulkForm.addEventListener("submit", (event) => {
      const n = selected().length;
      if (action.value === "delete" && n && !window.confirm(`Delete ${n} pin${n === 1 ? "" : "s"}? This cannot be undone.`)) {
        event.preventDefault();
      }
    });
    update();
  }

  // --- the bulk page --------------------------------------------------------------------------
  const upload = document.getElementById("bulk-upload");
  if (!upload) return;
  const input = upload.elements.namedItem("images");
  const drop = document.getElementById("bulk-drop");
  const list = document.getElementById("bulk-files");
  const limit = document.getElementById("bulk-limit");
  const counter = document.getElementById("bulk-count");
  const max = Number(upload.dataset.max);
  const minSide = Number(upload.dataset.minSide);

  function titleOf(name) {
    return name.replace(/\.[^.]*$/, "").replace(/[-_]+/g, " ").replace(/\s+/g, " ").trim();
  }

  function listFiles() {
    const files = Array.from(input.files || []);
    list.replaceChildren();
    files.forEach((file) => {
      const item = document.createElement("li");
      item.className = "pl-file";
      const img = document.createElement("img");
      img.alt = "";
      img.src = URL.createObjectURL(file);
      const text = document.createElement("div");
      const title = document.createElement("strong");
      title.textContent = titleOf(file.name);
      const name = document.createElement("span");
      name.className = "pl-muted pl-small";
      name.textContent = file.name;
      text.append(title, name);
      item.append(img, text);
      // The size rule, checked at once (the server checks it again and lists the file if refused).
      img.addEventListener("load", () => {
        if (img.naturalWidth < minSide || img.naturalHeight < minSide) {
          item.classList.add("is-refused");
          name.textContent = `${img.naturalWidth}x${img.naturalHeight} px: at least ${minSide} px a side, it will be refused`;
        }
      });
      list.appendChild(item);
    });
    const over = files.length > max;
    limit.hidden = !over;
    limit.textContent = over ? `You chose ${files.length} images: at most ${max} at a time. Remove some, or drop them in groups.` : "";
    counter.textContent = files.length ? `${files.length} image${files.length === 1 ? "" : "s"} → ${files.length} draft${files.length === 1 ? "" : "s"}` : "";
  }

  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("is-over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("is-over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("is-over");
    const transfer = new DataTransfer();
    Array.from(event.dataTransfer.files).filter((file) => file.type.startsWith("image/"))
      .forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
    listFiles();
  });
  input.addEventListener("change", listFiles);
  upload.addEventListener("submit", (event) => {
    if ((input.files || []).length > max) { event.preventDefault(); limit.focus(); }
  });

  // Articles and boards of the chosen project (as the composer narrows them).
  const choices = JSON.parse(document.getElementById("composer-choices").textContent);
  const field = (name) => upload.elements.namedItem(name);
  const narrow = window.plannerNarrower(upload, ["article", "board"]);
  function updateProject() {
    const projectId = field("project").value;
    const project = choices.projects[projectId];
    if (!project) return;
    narrow("article", (id) => String((choices.articles[id] || {}).project) === projectId);
    narrow("board", (id) => project.connection === null || (choices.boards[id] || {}).connection === project.connection);
  }
  field("project").addEventListener("change", updateProject);
  updateProject();
  listFiles();
})();

/* The composer's live parts: the preview as you type, the counters against Pinterest's limits,
 * only the chosen kind's fields, pickers narrowed to the project's account and the board's
 * sections, the project's zone and queue slot. The page works without it; the server judges
 * everything that is sent. */
(function () {
  "use strict";
  const form = document.getElementById("composer");
  if (!form) return;
  const choices = JSON.parse(document.getElementById("composer-choices").textContent);
  const $ = (selector) => form.querySelector(selector);
  const field = (name) => form.elements.namedItem(name);
  const preview = {
    media: document.getElementById("preview-media"),
    dots: document.getElementById("preview-dots"),
    title: document.getElementById("preview-title"),
    description: document.getElementById("preview-description"),
    link: document.getElementById("preview-link"),
  };
  const objectUrls = new Map();

  function fileUrl(input) {
    const file = input && input.files && input.files[0];
    if (!file) return "";
    if (!objectUrls.has(file)) objectUrls.set(file, URL.createObjectURL(file));
    return objectUrls.get(file);
  }

  function httpsUrl(input) {
    const value = input ? input.value.trim() : "";
    return /^https:\/\/\S+$/i.test(value) ? value : "";
  }

  function kind() {
    const checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "image";
  }

  // --- counters: warn before the cut, say when it will be cut -------------------------------
  function count(input) {
    const limit = Number(input.dataset.limit);
    const length = Array.from(input.value).length; // code points, as Pinterest counts
    const counter = form.querySelector(`[data-counter-for="${input.name}"]`);
    const warning = form.querySelector(`[data-warning-for="${input.name}"]`);
    counter.textContent = `${length} / ${limit}`;
    const near = length >= Math.floor(limit * 0.9) && length <= limit;
    const over = length > limit;
    counter.classList.toggle("is-near", near);
    counter.classList.toggle("is-over", over);
    if (over) {
      warning.textContent = `Pinterest will cut this to ${limit} characters when it publishes.`;
    } else if (near) {
      warning.textContent = `${limit - length} characters left before Pinterest cuts it.`;
    }
    warning.hidden = !(near || over);
  }

  function cut(text, limit) {
    const chars = Array.from(text);
    return chars.length > limit ? chars.slice(0, limit).join("") : text;
  }

  function updateTexts() {
    form.querySelectorAll("[data-counted]").forEach(count);
    preview.title.textContent = cut(field("title").value, Number(field("title").dataset.limit));
    preview.description.textContent = cut(field("description").value, Number(field("description").dataset.limit));
    // The pin's own link when one is typed, else its article's (the link Pinterest is given).
    const article = choices.articles[field("article").value];
    let own = "";
    try { own = field("link").value.trim() ? new URL(field("link").value.trim()).hostname.replace(/^www\./, "") : ""; }
    catch (error) { own = ""; }
    preview.link.textContent = own || (article ? article.domain : "");
  }

  // --- media: only the chosen kind's fields; what is picked shows at once ----------------------
  function showKind() {
    const chosen = kind();
    form.querySelectorAll("[data-kind-section]").forEach((section) => {
      section.hidden = section.dataset.kindSection !== chosen;
    });
    preview.media.dataset.kind = chosen;
    updateMedia();
  }

  function setMedia(node, dots) {
    preview.media.replaceChildren(node);
    preview.dots.replaceChildren();
    preview.dots.hidden = !dots || dots < 2;
    for (let i = 0; i < (dots || 0); i += 1) {
      const dot = document.createElement("span");
      if (i === 0) dot.className = "is-on";
      preview.dots.appendChild(dot);
    }
  }

  function image(src) {
    const img = document.createElement("img");
    img.src = src;
    img.alt = field("alt_text").value;
    return img;
  }

  function empty(text) {
    const div = document.createElement("div");
    div.className = "pl-preview-empty";
    div.textContent = text;
    return div;
  }

  const stored = {
    image: preview.media.dataset.kind === "image" ? (preview.media.querySelector("img") || {}).src || "" : "",
    carousel: Array.from(form.querySelectorAll("[data-carousel-row] .pl-row-thumb img")).map((img) => img.src),
    video: (preview.media.querySelector("video") || {}).src || "",
    poster: (preview.media.querySelector("video") || {}).poster || "",
  };

  function updateMedia() {
    const chosen = kind();
    if (chosen === "image") {
      const src = fileUrl(field("image")) || httpsUrl(field("image_url")) || stored.image;
      setMedia(src ? image(src) : empty("Your image shows here"));
    } else if (chosen === "carousel") {
      updateRows();
      const sources = [];
      ordered().forEach((row) => {
        const index = Number(row.dataset.carouselRow);
        const removed = field(`carousel-${index}-remove`);
        if (removed && removed.checked) return;
        const src = rowSource(index);
        if (src) sources.push(src);
      });
      if (!sources.length) {
        setMedia(empty("Your carousel's images show here: swipe through them"));
        return;
      }
      const swipe = document.createElement("div");
      swipe.className = "pl-swipe";
      swipe.id = "preview-swipe";
      swipe.tabIndex = 0; // scrolled by the arrow keys too
      swipe.setAttribute("role", "region");
      swipe.setAttribute("aria-label", "Carousel preview: swipe, or use the arrow keys");
      sources.forEach((src) => swipe.appendChild(image(src)));
      swipe.addEventListener("scroll", () => {
        const on = Math.round(swipe.scrollLeft / swipe.clientWidth);
        preview.dots.querySelectorAll("span").forEach((dot, i) => dot.classList.toggle("is-on", i === on));
      });
      setMedia(swipe, sources.length);
    } else {
      const src = fileUrl(field("video")) || stored.video;
      const poster = fileUrl(field("cover_image")) || httpsUrl(field("cover_image_url")) || stored.poster;
      if (!src && !poster) {
        setMedia(empty("Your video shows here, with its cover"));
        return;
      }
      const video = document.createElement("video");
      video.muted = true;
      video.playsInline = true;
      video.controls = true;
      video.preload = "metadata";
      if (src) video.src = src;
      if (poster) video.poster = poster;
      setMedia(video);
    }
  }

  // Carousel rows: those that hold an image, and one more to fill (two at least); "+ Add an image"
  // shows the next. Each row's thumbnail is its image. Rows move by dragging their handle or by
  // their Move buttons; "carousel-order" keeps the rows' indexes in the order shown (what is saved).
  const list = document.getElementById("carousel-rows");
  const rows = Array.from(form.querySelectorAll("[data-carousel-row]"));
  const orderField = field("carousel-order");
  const moved = document.getElementById("carousel-moved");
  const addRow = document.getElementById("carousel-add");
  let shownRows = 0;

  const ordered = () => Array.from(list.children);
  const visible = () => ordered().filter((row) => !row.hidden);

  function rowSource(index) {
    return fileUrl(field(`carousel-${index}-image`)) || httpsUrl(field(`carousel-${index}-image_url`))
      || stored.carousel[index] || "";
  }

  function updateRows() {
    let filled = 0;
    ordered().forEach((row, position) => {
      const src = rowSource(Number(row.dataset.carouselRow));
      if (src) filled = position + 1;
      const thumb = row.querySelector(".pl-row-thumb");
      const shown = thumb.querySelector("img");
      if (src && (!shown || shown.src !== src)) {
        const grip = thumb.querySelector(".pl-row-grip");
        thumb.replaceChildren(image(src));
        if (grip) thumb.appendChild(grip);
      }
    });
    shownRows = Math.min(rows.length, Math.max(shownRows, filled + 1, 2));
    ordered().forEach((row, position) => {
      row.hidden = position >= shownRows;
      const number = row.querySelector("[data-position]");
      if (number) number.textContent = String(position + 1);
      row.querySelectorAll("[data-move]").forEach((button) => {
        const up = button.dataset.move === "-1";
        button.setAttribute("aria-label", `Move image ${position + 1} ${up ? "up" : "down"}`);
        button.disabled = up ? position === 0 : position >= shownRows - 1;
      });
    });
    orderField.value = ordered().map((row) => row.dataset.carouselRow).join(",");
    if (addRow) addRow.hidden = shownRows >= rows.length;
  }

  function reordered(row) {
    updateMedia();
    const position = visible().indexOf(row) + 1;
    moved.textContent = `Image moved to position ${position} of ${visible().length}.`;
  }

  // The order a refused form was sent with, back on the page.
  String(orderField.value || "").split(",").forEach((index) => {
    const row = list.querySelector(`[data-carousel-row="${index}"]`);
    if (row) list.appendChild(row);
  });

  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move]");
    if (!button) return;
    const row = button.closest("[data-carousel-row]");
    const shown = visible();
    const target = shown[shown.indexOf(row) + Number(button.dataset.move)];
    if (!target) return;
    if (button.dataset.move === "-1") list.insertBefore(row, target);
    else list.insertBefore(row, target.nextSibling);
    reordered(row);
    (button.disabled ? row.querySelector("[data-move]:not(:disabled)") : button).focus();
  });

  // Drag by the handle (pointer events: a mouse, a finger or a pen).
  let dragging = null;
  list.addEventListener("pointerdown", (event) => {
    if (!event.target.closest("[data-drag-handle]")) return;
    event.preventDefault();
    dragging = event.target.closest("[data-carousel-row]");
    dragging.classList.add("is-dragging");
  });
  document.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    event.preventDefault();
    const others = visible().filter((row) => row !== dragging);
    const before = others.find((row) => {
      const box = row.getBoundingClientRect();
      return event.clientY < box.top + box.height / 2;
    });
    if (before) {
      if (dragging.nextSibling !== before) list.insertBefore(dragging, before);
    } else if (others.length) {
      const last = others[others.length - 1];
      if (last.nextSibling !== dragging) list.insertBefore(dragging, last.nextSibling);
    }
  });
  const endDrag = () => {
    if (!dragging) return;
    const row = dragging;
    dragging = null;
    row.classList.remove("is-dragging");
    reordered(row);
  };
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);

  if (addRow) {
    addRow.addEventListener("click", () => {
      shownRows = Math.min(rows.length, shownRows + 1);
      updateRows();
      const next = ordered()[shownRows - 1].querySelector("input[type=file]");
      if (next) next.focus();
    });
  }

  // The image rules, checked as a file is added (the server checks them again).
  function checkImage(input) {
    const file = input.files && input.files[0];
    const box = input.closest(".pl-field");
    if (!box) return;
    box.querySelectorAll(".pl-error[data-client]").forEach((node) => node.remove());
    if (!file) return;
    const say = (text) => {
      const p = document.createElement("p");
      p.className = "pl-error";
      p.dataset.client = "1";
      p.setAttribute("role", "alert");
      p.textContent = text;
      box.appendChild(p);
    };
    const formats = form.dataset.imageFormats.split(",");
    const subtype = (file.type.split("/")[1] || "").replace("jpg", "jpeg");
    if (!file.type.startsWith("image/") || !formats.includes(subtype)) {
      say(`${file.name} is not a JPEG, PNG, WebP or GIF image.`);
      return;
    }
    if (file.size > Number(form.dataset.imageMaxBytes)) {
      say(`${file.name} is over ${Math.round(Number(form.dataset.imageMaxBytes) / 1048576)} MB.`);
      return;
    }
    const probe = new Image();
    probe.onload = () => {
      const min = Number(form.dataset.imageMinSide);
      if (probe.naturalWidth < min || probe.naturalHeight < min) {
        say(`${file.name} is ${probe.naturalWidth}x${probe.naturalHeight} px; at least ${min} px a side.`);
      }
    };
    probe.src = fileUrl(input);
  }

  // Drop an image on the box.
  const drop = document.getElementById("image-drop");
  if (drop) {
    drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("is-over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("is-over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("is-over");
      if (!event.dataTransfer.files.length) return;
      const transfer = new DataTransfer();
      transfer.items.add(event.dataTransfer.files[0]);
      field("image").files = transfer.files;
      field("image").dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  // --- pickers: boards of the project's account, sections of the board -----------------------
  const narrow = window.plannerNarrower(form, ["article", "board", "board_section"]);

  function updateProject() {
    const project = choices.projects[field("project").value];
    if (!project) return;
    narrow("article", (id) => (choices.articles[id] || {}).project === Number(field("project").value));
    narrow("board", (id) => project.connection === null || (choices.boards[id] || {}).connection === project.connection);
    updateBoard();
    document.getElementById("zone-name").textContent = project.zone;
    document.getElementById("queue-slot").textContent = project.queue;
    const note = document.getElementById("queue-slot-note");
    if (note) note.textContent = project.queue;
  }

  function updateBoard() {
    const board = field("board").value;
    narrow("board_section", (id) => board !== "" && String((choices.sections[id] || {}).board) === board);
    field("board_section").disabled = board === "" || field("board_section").options.length <= 1;
  }

  // --- wiring ---------------------------------------------------------------------------------
  form.addEventListener("input", (event) => {
    const name = event.target.name || "";
    if (["title", "description", "alt_text", "link"].includes(name)) updateTexts();
    if (name.endsWith("image_url") || name === "cover_image_url") updateMedia();
  });
  form.addEventListener("change", (event) => {
    const target = event.target;
    const name = target.name || "";
    if (name === "kind") showKind();
    else if (name === "project") updateProject();
    else if (name === "board") updateBoard();
    else if (name === "article") updateTexts();
    else if (target.type === "file" || name.endsWith("-remove")) {
      if (target.type === "file" && target.accept === "image/*") checkImage(target);
      updateMedia();
    }
  });
  // A disabled select is not sent: enable the section picker again before the form goes.
  form.addEventListener("submit", () => { field("board_section").disabled = false; });

  updateProject();
  showKind();
  updateTexts();
})();

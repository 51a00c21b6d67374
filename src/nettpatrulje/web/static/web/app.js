// Small behaviours, no inline scripts (Content Security Policy).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.submit();
  if (el.matches("select[data-insert-into]") && el.value) {
    const target = document.getElementById(el.dataset.insertInto);
    if (target && !target.disabled) {
      target.value = el.value;
      target.focus();
    }
    el.value = "";
  }
});

// Keyboard-first work, as in mail clients. Keys act only when no field has focus.
(() => {
  let selected = 0;
  const rows = () => Array.from(document.querySelectorAll("tr[data-href]"));
  const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  function select(index) {
    const all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("kb-selected", i === selected));
    const link = all[selected].querySelector("a");
    if (link) link.focus({ preventScroll: false });
  }

  // The list is re-rendered every 2 s; keep the officer's place in it.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "rows" && document.querySelector("tr.kb-selected") === null && rows().length) {
      const hadFocus = document.activeElement === document.body || document.activeElement === null;
      rows().forEach((row, i) => row.classList.toggle("kb-selected", i === selected));
      if (hadFocus) select(selected);
    }
  });

  function submit(id) {
    const form = document.getElementById(id);
    if (form) form.requestSubmit();
  }

  function focus(id) {
    const el = document.getElementById(id);
    if (el && !el.disabled) {
      el.focus();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const help = document.getElementById("shortcuts");
    if (event.key === "Escape") {
      if (help && help.open) help.close();
      else if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (typing(event.target)) return;
    const actions = {
      j: () => select(selected + 1),
      k: () => select(selected - 1),
      Enter: () => {
        const row = rows()[selected];
        if (row && document.activeElement.tagName !== "A") window.location.href = row.dataset.href;
        else return false;
      },
      "/": () => focus("id_q"),
      r: () => focus("id_text"),
      n: () => focus("note-text"),
      t: () => focus("canned"),
      a: () => submit("kb-assign-me"),
      e: () => submit("kb-close"),
      u: () => {
        const back = document.getElementById("back-to-inbox");
        if (back) window.location.href = back.href;
      },
      "?": () => help && (help.open ? help.close() : help.showModal()),
    };
    const action = actions[event.key];
    if (action && action() !== false) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", () => {
    if (rows().length) select(0);
  });
})();

// A table or chart table that overflows its box scrolls; the keyboard must reach it to
// scroll it (WCAG 2.1.1), so it takes focus, but only while it does overflow.
(() => {
  const SCROLLERS = ".table-scroll, .chart-table, table.plain";
  function markScrollers() {
    document.querySelectorAll(SCROLLERS).forEach((el) => {
      const scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.dataset.scrollFocus = "1";
      } else if (!scrolls && el.dataset.scrollFocus) {
        el.removeAttribute("tabindex");
        delete el.dataset.scrollFocus;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markScrollers);
  document.addEventListener("htmx:afterSettle", markScrollers);
  window.addEventListener("resize", markScrollers);
})();

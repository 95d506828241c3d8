// Keyboard shortcuts, row navigation, address search, confirmations. No external code.
(function () {
  "use strict";
  const $ = (s, root) => (root || document).querySelector(s);
  const $$ = (s, root) => Array.from((root || document).querySelectorAll(s));
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);

  // confirmations without inline script (CSP allows only this file)
  document.addEventListener("click", (e) => {
    const b = e.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
    const back = e.target.closest("[data-back]");
    if (back && history.length > 1) { e.preventDefault(); history.back(); }
  });

  // queue rows: click opens; j/k move; Enter opens; x toggles the checkbox
  const rows = $$("table[data-nav] tbody tr[data-href]");
  let cur = -1;
  const select = (i) => {
    if (!rows.length) return;
    cur = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, k) => r.classList.toggle("sel", k === cur));
    rows[cur].scrollIntoView({ block: "nearest" });
  };
  rows.forEach((r, i) => r.addEventListener("click", (e) => {
    if (e.target.closest("a, input, button, label")) return;
    window.location = r.getAttribute("data-href");
  }));
  const all = $("[data-select-all]");
  if (all) all.addEventListener("change", () => $$("input[name=selected]").forEach((c) => { c.checked = all.checked; }));

  // address search on the case page
  const q = $("#addr-q"), list = $("#addr-results");
  if (q && list) {
    let timer = null, seq = 0;
    q.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++seq;
        const text = q.value.trim();
        if (!text) { list.innerHTML = ""; return; }
        const resp = await fetch(q.getAttribute("data-search") + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } });
        if (mine !== seq) return;
        const data = await resp.json();
        list.innerHTML = "";
        (data.results || []).forEach((r) => {
          const li = document.createElement("li");
          li.textContent = r.standard_address + "（" + r.address_code + "）";
          li.dataset.code = r.address_code;
          li.dataset.text = r.standard_address;
          li.addEventListener("click", () => {
            $("#dwelling").value = r.address_code;
            $("#chosen").textContent = r.standard_address;
            $$("li", list).forEach((x) => x.classList.toggle("sel", x === li));
          });
          list.appendChild(li);
        });
        if (!list.children.length) { const li = document.createElement("li"); li.textContent = "没有找到匹配的标准地址"; list.appendChild(li); }
      }, 200);
    });
    q.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); const first = $("li[data-code]", list); if (first) first.click(); }
    });
  }

  const help = $("#help");
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") { if (help) help.hidden = true; if (typing(document.activeElement)) document.activeElement.blur(); return; }
    if (typing(document.activeElement)) return;
    const k = e.key;
    if (k === "?") { if (help) help.hidden = !help.hidden; e.preventDefault(); return; }
    if (rows.length) {
      if (k === "j") { select(cur + 1); e.preventDefault(); return; }
      if (k === "k") { select(cur - 1); e.preventDefault(); return; }
      if (k === "Enter" && cur >= 0) { window.location = rows[cur].getAttribute("data-href"); return; }
      if (k === "x" && cur >= 0) { const c = $("input[name=selected]", rows[cur]); if (c) c.checked = !c.checked; return; }
    }
    if (k === "/") { if (q) { q.focus(); e.preventDefault(); } return; }
    const focusable = $(`[data-focus-key="${k}"]`);
    if (focusable) { focusable.focus(); e.preventDefault(); return; }
    const btn = $(`[data-key="${k}"]`);
    if (btn) { e.preventDefault(); btn.click(); }
  });
})();

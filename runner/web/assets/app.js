// The live page: the lesson's events on the left, etcd's state on the
// right, from the server's event stream. No build step, no library.
"use strict";
(function () {
  const W = JSON.parse(document.getElementById("words").textContent);
  const token = new URLSearchParams(location.search).get("token");
  const control = document.body.dataset.control === "true" && !!token;
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = (s, ...a) => { let i = 0; return s.replace(/%s/g, () => String(a[i++])); };
  // flow joins the lines of narration wrapped by hand for an 80-column
  // terminal: the page wraps them at its own width. A line that starts a
  // list item or is indented stays a line; two lines join with a space,
  // or with none where either side is Chinese (or full-width punctuation).
  const wide = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;
  const flow = (s) => s.replace(/(\S)\n(?![\s\-•*→✓✗]|\d+[.)] )(?=\S)/gu, (m, a, off) =>
    a + (wide.test(a) || wide.test(s[off + m.length]) ? "" : " "));
  // parts is a line of parts joined by " · ", each kept whole when the
  // line wraps.
  const parts = (tag, cls, ...ps) => {
    const e = el(tag, cls);
    ps.forEach((p, i) => { if (i) e.appendChild(document.createTextNode(" · ")); e.appendChild(el("span", "part", p)); });
    return e;
  };

  // --- The lesson ---------------------------------------------------------
  let lessons = {}, cur = null, step = null, ended = false, run = {}, where = "";
  function reset() {
    $("lesson").textContent = "";
    lessons = {}; cur = null; step = null; ended = false;
  }
  function lessonBox(id) {
    if (!lessons[id]) {
      const box = el("div", "lsn");
      box.dataset.lesson = id;
      $("lesson").appendChild(box);
      lessons[id] = box;
    }
    return lessons[id];
  }
  function target() {
    if (step) return step;
    return cur ? lessonBox(cur) : $("lesson");
  }
  function line(cls, text) {
    const p = el("div", "line " + (cls || ""), text);
    target().appendChild(p);
    return p;
  }
  function setCurrent(s) {
    document.querySelectorAll(".step.current").forEach((x) => x.classList.remove("current"));
    if (s) s.classList.add("current");
  }
  function onEvent(e) {
    switch (e.event) {
      case "course-start":
        run = e;
        line("muted", e.text);
        break;
      case "lesson-start": {
        Object.values(lessons).forEach((b) => b.classList.add("done"));
        cur = e.lesson; step = null;
        const box = lessonBox(e.lesson);
        box.classList.remove("done");
        box.appendChild(el("h2", "", e.index + "/" + e.total + " · " + e.title));
        box.appendChild(el("p", "doc", flow(e.text || "")));
        where = e.index + "/" + e.total + " · " + e.lesson + " · " + e.title;
        $("where").textContent = where;
        break;
      }
      case "step": {
        const s = el("div", "step");
        s.dataset.step = e.step;
        s.appendChild(el("h3", "", e.step + ". " + e.text));
        if (e.code) s.appendChild(el("pre", "code", e.code));
        lessonBox(e.lesson).appendChild(s);
        step = s;
        setCurrent(s);
        $("where").textContent = where + " · " + fmt(W.step, e.step);
        break;
      }
      case "say": line("", flow(e.text)); break;
      case "etcdctl": line("cmd", "$ " + e.text); break;
      case "result": line("result", "→ " + e.text); break;
      case "wait": line("muted", "… " + flow(e.text)); break;
      case "note": line("note", flow(e.text)); break;
      case "cleanup": line("muted", fmt(W.cleanup, e.text)); break;
      case "check": {
        const p = line(e.ok ? "ok" : "bad", (e.ok ? "✓ " : "✗ ") + flow(e.text));
        if (!e.ok && (e.got || e.want)) p.textContent += "  " + fmt(W.gotwant, e.got, e.want);
        break;
      }
      case "lesson-end": {
        step = null;
        setCurrent(null);
        const box = lessonBox(e.lesson);
        const word = { passed: W.passed, failed: W.failed, skipped: W.skipped, "not run": W.notrun, interrupted: W.interrupt }[e.status] || e.status;
        const p = el("div", "end " + (e.status === "passed" || e.status === "skipped" ? "ok" : "bad"),
          fmt(W.end, e.lesson, word) + (e.error ? " · " + e.error : ""));
        box.appendChild(p);
        break;
      }
      case "summary":
        ended = true;
        step = null;
        line("end " + (e.failed || e.interrupted ? "bad" : "ok"), fmt(W.summary, e.passed || 0, e.failed || 0));
        $("where").textContent = W["ended-run"];
        break;
    }
    const t = step || (cur && lessons[cur]);
    if (t) t.scrollIntoView({ block: "end" });
  }

  // --- The prompt ------------------------------------------------------------
  let paused = null;
  function onPause(p) {
    paused = p;
    $("pause").hidden = !p;
    if (!p) return;
    $("pause").dataset.lesson = p.lesson || "";
    $("pause").dataset.step = p.step || "";
    $("pause-text").textContent = p.more ? W.morewait : fmt(W.paused, p.step, p.title);
    $("next").hidden = !control;
    $("follow").hidden = control;
  }
  function next() {
    if (!control || !paused) return;
    fetch("next", { method: "POST", headers: { "X-Token": token } });
  }
  $("next").addEventListener("click", next);
  $("next").title = W.nextkeys;
  document.addEventListener("keydown", (ev) => {
    if ((ev.key === "ArrowRight" || ev.key === " ") && control) {
      ev.preventDefault();
      next();
    }
  });

  // --- The state ---------------------------------------------------------------
  let offset = 0, leases = [], held = false;
  function fit(box, list, items, make) {
    // As many as the box holds, then "N more": the state panel never scrolls.
    list.textContent = "";
    let shown = 0;
    for (const it of items) {
      const e = make(it);
      list.appendChild(e);
      shown++;
      if (box.scrollHeight > box.clientHeight + 1 && shown > 1) {
        list.removeChild(e);
        shown--;
        break;
      }
    }
    if (shown < items.length) {
      const m = el(list.tagName === "TBODY" ? "tr" : "div", "more");
      const text = fmt(W.more, items.length - shown);
      if (list.tagName === "TBODY") { const td = el("td", "", text); td.colSpan = 6; m.appendChild(td); } else m.textContent = text;
      list.appendChild(m);
      while (box.scrollHeight > box.clientHeight + 1 && list.children.length > 1) list.removeChild(m.previousSibling);
    }
  }
  function onState(s) {
    offset = s.now - Date.now();
    $("rev").textContent = s.rev || "–";
    $("prefix").textContent = s.prefix || "";
    const last = s.revs.length ? s.revs[s.revs.length - 1].rev : 0;
    // keys
    const tb = $("keys").tBodies[0];
    $("nokeys").hidden = s.keys.length > 0;
    fit($("keys-box"), tb, s.keys, (k) => {
      const tr = el("tr", k.mod === last ? "fresh" : "");
      tr.dataset.key = k.key;
      tr.append(el("td", "key", k.key), el("td", "value", k.value), el("td", "num create", k.create),
        el("td", "num mod", k.mod), el("td", "num version", k.version), el("td", "lease", k.lease || ""));
      return tr;
    });
    // leases
    leases = s.leases;
    held = !!s.held;
    fit($("leases-box"), $("leases"), s.leases.length ? s.leases : [null], (l) => {
      if (!l) return el("div", "muted", W.noleases);
      const d = el("div", "lease" + (l.ended ? " ended" : ""));
      d.dataset.lease = l.id;
      const bar = el("div", "bar"); bar.appendChild(el("i"));
      d.append(el("div", "what mono", l.id), bar, el("div", "what left"), el("div", "what keys", l.keys.join(", ")));
      return d;
    });
    tick();
    // queues
    fit($("queues-box"), $("queues"), s.queues.length ? s.queues : [null], (q) => {
      if (!q) return el("div", "muted", W.noqueues);
      const d = el("div", "queue");
      d.dataset.queue = q.name;
      d.appendChild(el("div", "mono", q.name + "/"));
      const ol = el("ol");
      q.waiters.forEach((w, i) => {
        const li = parts("li", i === 0 ? "holder" : "waiter",
          w.key.slice(q.name.length + 1), W.create + " " + w.create, i === 0 ? W.holder : W.waiting);
        li.dataset.key = w.key;
        li.dataset.create = w.create;
        ol.appendChild(li);
      });
      d.appendChild(ol);
      return d;
    });
    // watches
    fit($("watches-box"), $("watches"), s.watches.length ? s.watches : [null], (w) => {
      if (!w) return el("div", "muted", W.nowatches);
      const what = w.key + (w.prefix ? "*" : "") + (w.end ? " … " + w.end : "");
      const d = parts("div", "watch" + (w.cancelled ? " cancelled" : ""),
        what, w.from ? W.from + " " + w.from : W.now, fmt(W.events, w.events));
      d.dataset.key = w.key;
      return d;
    });
    // members
    $("members-box").hidden = !s.members.length;
    $("members").textContent = "";
    for (const m of s.members) {
      const d = el("div", "member" + (m.leader ? " leader" : "") + (m.up ? "" : " down"));
      d.dataset.name = m.name;
      d.append(el("div", "name", m.name), el("div", "", m.up ? (m.leader ? W.leader + " · " : "") + W.revision + " " + m.rev : W.stopped));
      $("members").appendChild(d);
    }
    // timeline
    const tl = $("timeline");
    tl.textContent = "";
    for (const r of s.revs.slice(-8)) {
      const li = el("li", r.rev === last ? "last" : "");
      li.dataset.rev = r.rev;
      li.appendChild(el("b", "", r.rev));
      li.appendChild(document.createTextNode(" " + r.writes.join(", ")));
      li.title = r.writes.join("\n");
      tl.appendChild(li);
    }
    if (!s.revs.length) tl.appendChild(el("li", "muted", "–"));
    // The latest revisions, whole: the oldest go where the line is full.
    while (tl.scrollWidth > tl.clientWidth + 1 && tl.children.length > 1) tl.removeChild(tl.firstChild);
  }
  // The lease bars count down between snapshots.
  function tick() {
    const now = Date.now() + offset;
    let live = false;
    for (const l of leases) {
      if (!l) continue;
      const d = document.querySelector('.lease[data-lease="' + l.id + '"]');
      if (!d) continue;
      // While a prompt waits the runner holds the leases: they stand still.
      const left = l.ended ? 0 : held ? l.granted : Math.max(0, l.left - (now - l.at) / 1000);
      const frac = l.granted > 0 ? Math.min(1, left / l.granted) : 0;
      d.querySelector(".bar i").style.width = (frac * 100).toFixed(1) + "%";
      d.querySelector(".left").textContent = l.ended ? W.ended : fmt(W.left, left.toFixed(1), l.granted);
      live = live || (!l.ended && left > 0);
    }
    if (live && !tick.timer) tick.timer = setInterval(tick, 100);
    if (!live && tick.timer) { clearInterval(tick.timer); tick.timer = null; }
  }

  // --- The stream ---------------------------------------------------------------
  // body's data-stream says how the stream is: "open", "ended" once the
  // run ended and the server closed it (the page keeps the last picture),
  // "lost" if it went before the run's end.
  const es = new EventSource("events");
  es.onopen = () => { document.body.dataset.stream = "open"; };
  es.addEventListener("hello", reset);
  es.addEventListener("ev", (m) => onEvent(JSON.parse(m.data)));
  es.addEventListener("state", (m) => onState(JSON.parse(m.data)));
  es.addEventListener("pause", (m) => onPause(JSON.parse(m.data)));
  es.onerror = () => {
    if (ended) { es.close(); document.body.dataset.stream = "ended"; return; }
    document.body.dataset.stream = "lost";
    $("where").textContent = W.lost;
  };
})();

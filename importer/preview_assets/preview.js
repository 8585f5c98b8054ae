/* The preview report (importer/preview.py writes the data files).
 *
 * Safety: every string from the batch goes into the page through textContent or
 * an attribute set from script, never as markup (no innerHTML in this file). The
 * wiki's own rendering is shown in an iframe sandboxed without scripts.
 *
 * Addresses: #a/ID opens an article; #kind=redirect&status=new&issue=homonym&q=абай&p=2
 * is a filtered page of the table (filter=X is short for whichever of kind,
 * status or issue X is a value of).
 *
 * Rows: [id, title, kind, pages, volume, confidence, issue kinds, status,
 *        publishable (0/1), crop count]; rows are in printed order, row i's
 * details are in data/articles-NNNN.js with NNNN = floor(i / per chunk) + 1.
 */
(function () {
  "use strict";
  var PAGE_SIZE = 100;
  var R = {ID: 0, TITLE: 1, KIND: 2, PAGES: 3, VOLUME: 4, CONF: 5, ISSUES: 6, STATUS: 7,
           PUBLISHABLE: 8, CROPS: 9};
  var meta = null, rows = [], rowIndex = {}, titleIndex = {}, details = {}, waiting = {};
  var filtered = [], state = {q: "", kind: "", status: "", issue: "", p: 1};

  window.previewData = function (kind, number, data) {
    if (kind === "meta") { meta = data; return; }
    if (kind === "rows") { rows = rows.concat(data); return; }
    if (kind === "articles") {
      data.forEach(function (d) { details[d.id] = d; });
      (waiting[number] || []).forEach(function (f) { f(); });
      delete waiting[number];
    }
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function $(id) { return document.getElementById(id); }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }

  function setStatus(text, ready) {
    $("progress").textContent = text;
    document.body.setAttribute("data-state", ready ? "ready" : "loading");
  }

  /* -- addresses ------------------------------------------------------------ */
  function parseHash() {
    var h = decodeURIComponent(location.hash.replace(/^#/, "").replace(/\+/g, " "));
    if (h.indexOf("a/") === 0) return {article: h.slice(2)};
    var out = {q: "", kind: "", status: "", issue: "", p: 1};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var i = part.indexOf("="), k = i < 0 ? part : part.slice(0, i);
      var v = i < 0 ? "" : decodeURIComponent(part.slice(i + 1).replace(/\+/g, " "));
      if (k === "filter") k = filterKey(v);
      if (k === "p") out.p = Math.max(1, parseInt(v, 10) || 1);
      else if (k in out) out[k] = v;
    });
    return out;
  }

  function filterKey(v) {
    if (v === "article" || v === "redirect") return "kind";
    if (meta && v in meta.summary.statuses) return "status";
    return "issue";
  }

  function listHash(s) {
    var parts = [];
    ["kind", "status", "issue", "q"].forEach(function (k) {
      if (s[k]) parts.push(k + "=" + encodeURIComponent(s[k]));
    });
    if (s.p > 1) parts.push("p=" + s.p);
    return "#" + parts.join("&");
  }

  function go(hash) {
    if (location.hash === hash || (hash === "#" && !location.hash)) route();
    else location.hash = hash;
  }

  /* -- the table ------------------------------------------------------------ */
  function matches(r, s, q) {
    if (s.kind && r[R.KIND] !== s.kind) return false;
    if (s.status && r[R.STATUS] !== s.status) return false;
    if (s.issue === "none" && r[R.ISSUES].length) return false;
    if (s.issue === "unpublishable" && r[R.PUBLISHABLE]) return false;
    if (s.issue && s.issue !== "none" && s.issue !== "unpublishable" &&
        r[R.ISSUES].indexOf(s.issue) < 0) return false;
    if (q && r[R.TITLE].toLocaleLowerCase().indexOf(q) < 0 &&
        r[R.ID].toLocaleLowerCase().indexOf(q) < 0) return false;
    return true;
  }

  function showList(s) {
    state = s;
    $("detail").hidden = true;
    $("list").hidden = false;
    $("summary").hidden = false;
    $("q").value = s.q; $("kind").value = s.kind; $("status").value = s.status;
    $("issue").value = s.issue;
    var q = s.q.trim().toLocaleLowerCase();
    filtered = [];
    for (var i = 0; i < rows.length; i++) if (matches(rows[i], s, q)) filtered.push(i);
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
    var page = Math.min(s.p, pages), start = (page - 1) * PAGE_SIZE;
    state.p = page;
    var body = $("rows");
    while (body.firstChild) body.removeChild(body.firstChild);
    filtered.slice(start, start + PAGE_SIZE).forEach(function (i) { body.appendChild(rowNode(i)); });
    var total = rows.length, shown = filtered.length;
    var count = $("count");
    count.textContent = shown === total ? total + " articles and redirects"
      : shown + " of " + total + " articles and redirects match";
    count.setAttribute("data-total", total);
    count.setAttribute("data-shown", shown);
    $("pageinfo").textContent = "page " + page + " of " + pages +
      (shown ? " (rows " + (start + 1) + "–" + Math.min(start + PAGE_SIZE, shown) + ")" : "");
    $("prev").disabled = page <= 1;
    $("next").disabled = page >= pages;
    setStatus("ready: " + shown + " rows", true);
  }

  function rowNode(i) {
    var r = rows[i];
    var conf = r[R.CONF] === null || r[R.CONF] === undefined ? "" : Number(r[R.CONF]).toFixed(2);
    var tr = el("tr", {"class": "row kind-" + r[R.KIND] + (r[R.PUBLISHABLE] ? "" : " unpublishable"),
                       "data-id": r[R.ID]}, [
      el("td", {"class": "num", text: String(i + 1)}),
      el("td", {}, [el("a", {href: "#a/" + encodeURIComponent(r[R.ID]), "class": "title",
                             text: r[R.TITLE]})]),
      el("td", {text: r[R.KIND]}),
      el("td", {text: (r[R.VOLUME] !== null ? r[R.VOLUME] + ": " : "") + r[R.PAGES]}),
      el("td", {"class": "num", text: conf}),
      el("td", {"class": "issues", text: r[R.ISSUES].join(", ") +
                (r[R.PUBLISHABLE] ? "" : (r[R.ISSUES].length ? "; " : "") + "not publishable")}),
      el("td", {"class": "status status-" + r[R.STATUS], text: r[R.STATUS]})
    ]);
    return tr;
  }

  /* -- one article ---------------------------------------------------------- */
  function withDetails(id, done) {
    if (details[id]) return done();
    var i = rowIndex[id];
    if (i === undefined) return done();
    var n = Math.floor(i / meta.details_per_chunk) + 1;
    var first = !waiting[n];
    (waiting[n] = waiting[n] || []).push(done);
    if (first) {
      var name = "data/articles-" + ("000" + n).slice(-4) + ".js";
      loadScript(name).catch(function (e) { setStatus(e.message, true); });
    }
  }

  function showArticle(id) {
    $("list").hidden = true;
    $("summary").hidden = true;
    var box = $("detail");
    box.hidden = false;
    while (box.firstChild) box.removeChild(box.firstChild);
    setStatus("loading " + id + "…", false);
    withDetails(id, function () {
      var d = details[id];
      if (!d) {
        box.appendChild(el("p", {"class": "note", text: "No article " + id + " in this preview."}));
        setStatus("ready: not found", true);
        return;
      }
      fillArticle(box, d);
      document.title = (d.title || d.headword || d.id) + " — preview";
      setStatus("ready: " + d.id, true);
    });
  }

  function navLinks(d) {
    var i = rowIndex[d.id], list = filtered.length ? filtered : rows.map(function (_, k) { return k; });
    var pos = list.indexOf(i);
    if (pos < 0) { list = rows.map(function (_, k) { return k; }); pos = i; }
    var nav = el("nav", {"class": "articlenav"}, [
      el("a", {href: listHash(state), text: "← all articles"})]);
    if (pos > 0) nav.appendChild(el("a", {href: "#a/" + encodeURIComponent(rows[list[pos - 1]][R.ID]),
                                          text: "‹ " + rows[list[pos - 1]][R.TITLE]}));
    if (pos >= 0 && pos + 1 < list.length)
      nav.appendChild(el("a", {href: "#a/" + encodeURIComponent(rows[list[pos + 1]][R.ID]),
                               text: rows[list[pos + 1]][R.TITLE] + " ›"}));
    return nav;
  }

  function section(title, cls, children) {
    return el("section", {"class": "part " + cls}, [el("h3", {text: title})].concat(children));
  }

  function fillArticle(box, d) {
    var src = d.source || {};
    box.appendChild(navLinks(d));
    box.appendChild(el("h2", {id: "article-title", text: d.title || ("(no title) " + (d.headword || ""))}));
    var facts = el("dl", {"class": "facts"});
    function fact(k, v, cls) {
      facts.appendChild(el("dt", {text: k}));
      facts.appendChild(el("dd", {"class": cls || "", text: v}));
    }
    fact("Kind", d.kind + (d.target ? " → " + d.target : ""));
    fact("Source", "volume " + src.volume + ", page(s) " + (src.pages || []).join(", "));
    fact("Confidence", d.confidence === null || d.confidence === undefined ? "" : String(d.confidence));
    fact("Status", d.status + (d.conflict ? ": " + d.conflict : ""), "status status-" + d.status);
    fact("Publishable", d.publishable ? "yes" : "no (an issue is an error)");
    fact("Id", d.id);
    box.appendChild(facts);
    if (d.issues && d.issues.length) {
      box.appendChild(el("ul", {"class": "issuelist"}, d.issues.map(function (i) {
        return el("li", {"class": "severity-" + i.severity}, [
          el("strong", {text: i.kind}), " (" + i.severity + "): " + i.message]);
      })));
    }
    var scan = [];
    if (d.crops.length) {
      var loaded = 0;
      var holder = el("div", {"class": "crops", id: "crops", "data-count": d.crops.length, "data-loaded": 0});
      d.crops.forEach(function (c) {
        var img = el("img", {alt: "scan of page " + c.page, width: c.width, height: c.height});
        img.onload = function () {
          img.setAttribute("data-natural-width", img.naturalWidth);
          if (img.naturalWidth > 0) loaded += 1;
          holder.setAttribute("data-loaded", loaded);
        };
        img.onerror = function () { img.setAttribute("data-error", "1"); };
        img.src = c.src;
        holder.appendChild(el("figure", {}, [img, el("figcaption", {text: "page " + c.page})]));
      });
      scan.push(holder);
    } else {
      scan.push(el("p", {"class": "note", text: "No scan crop (no page image or no line boxes)."}));
    }
    if (d.crop_note) scan.push(el("p", {"class": "note", text: d.crop_note}));
    box.appendChild(el("div", {"class": "side"}, [
      section("Scan", "scan", scan),
      section("Printed text (OCR)", "printed", [el("div", {"class": "text", id: "printed", text: d.text})])
    ]));
    var rendered = [];
    if (d.parsed !== null && d.parsed !== undefined) {
      var frame = el("iframe", {"class": "wikihtml", id: "wikihtml", sandbox: "",
                                title: "rendered by the wiki"});
      frame.srcdoc = d.parsed;
      rendered.push(el("p", {"class": "note", text: "Rendered by the wiki (action=parse, nothing saved)."}));
      rendered.push(frame);
      rendered.push(el("details", {}, [el("summary", {text: "built-in rendering"}), renderTree(d.rendered)]));
    } else {
      rendered.push(renderTree(d.rendered));
    }
    box.appendChild(el("div", {"class": "side"}, [
      section("Wikitext", "wikitext", [
        d.file ? el("p", {"class": "file"}, [el("a", {href: d.file, text: d.file})]) : null,
        el("pre", {id: "wikitext", text: d.wikitext === null ? "(no wikitext: not publishable)" : d.wikitext})]),
      section("Rendered", "rendered", rendered)
    ]));
    box.appendChild(el("div", {"class": "side"}, [
      section("License block", "license", d.license.length
        ? d.license.map(function (t) { return el("pre", {"class": "licensecode", text: t}); })
        : [el("p", {"class": "note", text: d.kind === "redirect" ? "Redirects carry no license block; the edit summary names the source."
                                                                 : "No license block!"})]),
      section("Edit summary", "summary", [el("p", {id: "editsummary", text: d.summary || ""})])
    ]));
    if (d.live) box.appendChild(liveSection(d.live));
  }

  function liveSection(live) {
    var parts = [el("p", {text: "“" + live.title + "” already exists on the wiki" +
                              (live.redirect ? " as a redirect" : "") +
                              (live.same ? "; its text is the same as ours." : ".")})];
    if (live.diff && live.diff.length) {
      parts.push(el("pre", {"class": "diff", id: "diff"}, live.diff.map(function (line) {
        var head = line.slice(0, 4) === "--- " || line.slice(0, 4) === "+++ ";
        var c = head ? "hunk" : line.charAt(0) === "+" ? "add" : line.charAt(0) === "-" ? "del" :
                line.charAt(0) === "@" ? "hunk" : "ctx";
        return el("span", {"class": c, text: line + "\n"});
      })));
    }
    if (live.text !== null && live.text !== undefined)
      parts.push(el("details", {}, [el("summary", {text: "the live page's wikitext"}),
                                    el("pre", {id: "livetext", text: live.text})]));
    return section("On the wiki", "live", parts);
  }

  /* -- the built-in rendering (see render_tree in preview.py) ---------------- */
  function renderTree(blocks) {
    var out = el("div", {"class": "wikitext-rendered", id: "rendered"});
    (blocks || []).forEach(function (b) {
      if (b[0] === "p") out.appendChild(el("p", {}, inlines(b[1])));
      else if (b[0] === "h") out.appendChild(el("h" + Math.min(6, Math.max(2, b[1] + 2)), {}, inlines(b[2])));
      else if (b[0] === "redirect") out.appendChild(el("p", {"class": "redirect"}, ["↳ redirect to ", link(b[1], [b[1]])]));
      else if (b[0] === "box") out.appendChild(templateBox(b[1], b[2]));
      else out.appendChild(el("pre", {text: String(b[1])}));
    });
    return out;
  }

  function templateBox(name, params) {
    var dl = el("dl", {});
    params.forEach(function (p) {
      dl.appendChild(el("dt", {text: p[0] || "·"}));
      dl.appendChild(el("dd", {text: p[1]}));
    });
    return el("div", {"class": "licensebox"}, [el("div", {"class": "boxname", text: "{{" + name + "}}"}), dl]);
  }

  function link(target, label) {
    var id = titleIndex[target];
    return id === undefined
      ? el("span", {"class": "wikilink", title: target + " (not in this batch)"}, label)
      : el("a", {"class": "wikilink", href: "#a/" + encodeURIComponent(id), title: target}, label);
  }

  function inlines(list) {
    return (list || []).map(function (x) {
      if (typeof x === "string") return document.createTextNode(x);
      if (x[0] === "b") return el("b", {}, inlines(x[1]));
      if (x[0] === "i") return el("i", {}, inlines(x[1]));
      if (x[0] === "a") return link(x[1], inlines(x[2]));
      if (x[0] === "ext") return el("span", {"class": "extlink", title: x[1]}, inlines(x[2]));
      return el("code", {text: String(x[1])});
    });
  }

  /* -- wiring ---------------------------------------------------------------- */
  function route() {
    var h = parseHash();
    if (h.article !== undefined) showArticle(h.article);
    else showList(h);
  }

  function fromForm(resetPage) {
    var s = {q: $("q").value, kind: $("kind").value, status: $("status").value,
             issue: $("issue").value, p: resetPage ? 1 : state.p};
    history.replaceState(null, "", listHash(s) === "#" ? location.pathname : listHash(s));
    showList(s);
  }

  function options(select, values) {
    values.forEach(function (v) { select.appendChild(el("option", {value: v, text: v})); });
  }

  function start() {
    if (!meta) { setStatus("data/meta.js is missing: run importer preview again", true); return; }
    options($("status"), Object.keys(meta.summary.statuses));
    options($("issue"), Object.keys(meta.summary.issues));
    var chain = Promise.resolve();
    meta.rows.forEach(function (src) { chain = chain.then(function () { return loadScript(src); }); });
    chain.then(function () {
      rows.forEach(function (r, i) { rowIndex[r[R.ID]] = i; if (r[R.KIND] !== "redirect" || !(r[R.TITLE] in titleIndex)) titleIndex[r[R.TITLE]] = r[R.ID]; });
      var timer = null;
      $("q").addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { fromForm(true); }, 150);
      });
      ["kind", "status", "issue"].forEach(function (k) {
        $(k).addEventListener("change", function () { fromForm(true); });
      });
      $("filters").addEventListener("submit", function (e) { e.preventDefault(); fromForm(true); });
      $("prev").addEventListener("click", function () { state.p -= 1; go(listHash(state)); });
      $("next").addEventListener("click", function () { state.p += 1; go(listHash(state)); });
      window.addEventListener("hashchange", route);
      route();
    }).catch(function (e) { setStatus(e.message, true); });
  }

  document.addEventListener("DOMContentLoaded", start);
})();

/* Cairn widget: reads the public open-data API only, renders with the DOM, no framework. */
"use strict";
(function () {
  var root = document.getElementById("cairn-widget");
  var c = JSON.parse(root.getAttribute("data-config"));
  var W = c.words, PAGE = 100, MAX_PAGES = 20, plural = new Intl.PluralRules(c.lang);
  var state = document.getElementById("cairn-state");
  var out = document.getElementById("cairn-content");

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function time(t) { return Date.parse(t); }
  function count(n) { return n + " " + (plural.select(n) === "one" ? W.observation : W.observations); }
  function fmt(opts) { return new Intl.DateTimeFormat(c.lang, opts); }
  /* Tell the host's embed script our height (content, photos, fonts) so its frame fits us. */
  if (parent !== window) new ResizeObserver(function () {
    parent.postMessage({ cairnHeight: document.body.offsetHeight }, "*");
  }).observe(document.body);
  function done(node) {
    state.textContent = node ? "" : W.empty;
    if (node) out.append(node);
    root.setAttribute("aria-busy", "false");
  }

  /* Every page of one open-data query (at most MAX_PAGES); `more` says some were left. */
  async function fetchAll(extra) {
    var query = new URLSearchParams(Object.assign({}, c.query, extra, { limit: PAGE }));
    var url = c.api + "?" + query, items = [], pages = 0;
    while (url && pages < MAX_PAGES) {
      var response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      var body = await response.json();
      items = items.concat(body.items);
      pages += 1;
      /* `next` may name the public host; stay on this page's origin (no CORS needed). */
      url = body.next && (function (n) { return n.pathname + n.search; })(new URL(body.next, location.href));
    }
    return { items: items, more: Boolean(url) };
  }

  /* The observation's name: French vernacular in French, else the scientific name. */
  function label(o) {
    var span = el("span"), t = o.taxon, h = o.heritage || {};
    if (t) {
      var vernacular = c.lang === "fr" && t.vernacular_fr;
      span.append(el("span", vernacular || t.scientific_name, "name"));
      if (vernacular) span.append(" ", el("i", t.scientific_name));
      span.lastChild.lang = "la";
    } else span.append(el("span", h.name || h.label || h.category || o.kind, "name"));
    return span;
  }
  function photoUrl(p) { return typeof p === "string" ? p : p.thumb || (p.urls && p.urls.thumb) || p.url; }
  function figure(o) {
    var f = el("figure"), img = el("img");
    img.src = photoUrl(o.photos[0]);
    img.alt = o.taxon ? o.taxon.scientific_name : "";
    img.loading = "lazy";
    f.append(img, el("figcaption", W.credit + " " + (o.observer || "") + " · " + o.licence));
    return f;
  }
  function km(a, b) {
    var r = Math.PI / 180, s1 = Math.sin((b[1] - a[1]) * r / 2), s2 = Math.sin((b[0] - a[0]) * r / 2);
    return 12742.0176 * Math.asin(Math.sqrt(s1 * s1 + Math.cos(a[1] * r) * Math.cos(b[1] * r) * s2 * s2));
  }

  async function recent() {
    var got = await fetchAll({ from: new Date(Date.now() - c.days * 864e5).toISOString() });
    var day = fmt({ dateStyle: "medium" });
    var rows = got.items
      .map(function (o) { return [o, km(c.near, [o.location.lon, o.location.lat])]; })
      .filter(function (x) { return x[1] <= c.radius_km; })
      .sort(function (x, y) { return time(y[0].observed_at) - time(x[0].observed_at); })
      .slice(0, c.items);
    if (!rows.length) return done();
    var list = el("ul", null, "list");
    rows.forEach(function (x) {
      var o = x[0], where = o.generalisation ? W.generalised : x[1].toFixed(1) + " " + W.km;
      var li = el("li");
      li.append(label(o), el("span", day.format(time(o.observed_at)) + " · " + where, "meta"));
      list.append(li);
    });
    done(list);
  }

  async function speciesOfTheMonth() {
    var now = new Date(), start = new Date(now.getFullYear(), now.getMonth(), 1);
    var got = await fetchAll({ from: start.toISOString() });
    if (!got.items.length) { /* early in the month: last month's */
      var end = start;
      start = new Date(now.getFullYear(), now.getMonth() - 1, 1);
      got = await fetchAll({ from: start.toISOString(), to: end.toISOString() });
    }
    var by = {};
    got.items.forEach(function (o) {
      if (!o.taxon) return;
      var t = by[o.taxon.cd_ref] || (by[o.taxon.cd_ref] = { o: o, n: 0 });
      t.n += 1;
      if (!t.photo && o.photos && o.photos.length) t.photo = o;
    });
    var top = Object.values(by).sort(function (a, b) { return b.n - a.n; }).slice(0, c.items);
    out.append(el("p", fmt({ month: "long", year: "numeric" }).format(start), "period"));
    if (!top.length) return done();
    var list = el("ol", null, "list");
    top.forEach(function (t, i) {
      var li = el("li");
      if (i === 0 && t.photo) li.append(figure(t.photo));
      li.append(label(t.o), el("span", count(t.n), "meta"));
      list.append(li);
    });
    done(list);
  }

  async function programme() {
    var got = await fetchAll({}), items = got.items, now = new Date();
    var month = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
    function distinct(f) { return new Set(items.map(f).filter(function (v) { return v != null; })).size; }
    var figures = [
      [items.length, W.observations],
      [distinct(function (o) { return o.taxon && o.taxon.cd_ref; }), W.species],
      [distinct(function (o) { return o.commune; }), W.communes],
      [distinct(function (o) { return o.observer; }), W.contributors],
      [items.filter(function (o) { return time(o.observed_at) >= month; }).length, W.observations + " " + W.this_month]
    ];
    var dl = el("dl", null, "figures");
    figures.forEach(function (f) {
      var d = el("div");
      d.append(el("dt", f[1]), el("dd", (got.more ? W.at_least + " " : "") + f[0].toLocaleString(c.lang)));
      dl.append(d);
    });
    var box = el("div");
    box.append(dl, monthly(items, now));
    done(box);
  }

  /* Observations in each of the last 12 months, as bars; the label reads them all out. */
  function monthly(items, now) {
    var NS = "http://www.w3.org/2000/svg", svg = document.createElementNS(NS, "svg");
    var name = fmt({ month: "short" }), counts = [], names = [], said = [];
    for (var k = 11; k >= 0; k--) {
      var from = new Date(now.getFullYear(), now.getMonth() - k, 1).getTime();
      var to = new Date(now.getFullYear(), now.getMonth() - k + 1, 1).getTime();
      var n = items.filter(function (o) { var t = time(o.observed_at); return t >= from && t < to; }).length;
      counts.push(n);
      names.push(name.format(from));
      said.push(names[names.length - 1] + " " + n);
    }
    var top = Math.max.apply(null, counts) || 1;
    svg.setAttribute("viewBox", "0 0 120 40");
    svg.setAttribute("class", "bars");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", W.per_month + ": " + said.join(", "));
    counts.forEach(function (n, i) {
      var r = document.createElementNS(NS, "rect"), h = Math.max(n ? 2 : 0.5, 38 * n / top);
      r.setAttribute("x", i * 10 + 1);
      r.setAttribute("y", 40 - h);
      r.setAttribute("width", 8);
      r.setAttribute("height", h);
      svg.append(r);
    });
    var figure = el("figure");
    figure.append(svg, el("figcaption", W.per_month + " · " + names[0] + "–" + names[11]));
    return figure;
  }

  var run = { "recent": recent, "species-of-the-month": speciesOfTheMonth, "programme": programme }[c.widget];
  run().catch(function () {
    state.textContent = W.failed;
    root.setAttribute("aria-busy", "false");
  });
})();

/* Cairn: paste <script src=".../widgets/embed.js" data-widget="recent" data-near="lon,lat" async></script> */
(function (d) {
  "use strict";
  var s = d.currentScript, T = __TITLES__, S = __SIZES__;
  if (!s) return;
  var src = new URL(s.src, d.baseURI), o = s.dataset, w = o.widget || "recent";
  var q = new URLSearchParams(), size = S[o.size] || S.medium;
  ["lang", "size", "theme", "programme", "commune", "near", "days"].forEach(function (k) {
    if (o[k]) q.set(k, o[k]);
  });
  if (o.radiusKm) q.set("radius_km", o.radiusKm);
  var f = d.createElement("iframe");
  f.src = new URL(encodeURIComponent(w) + "?" + q, src).href;
  f.title = o.title || (T[o.lang] || T.fr)[w] || "Cairn";
  f.width = size[0];
  f.height = size[1];
  f.loading = "lazy";
  f.setAttribute("sandbox", __SANDBOX__);
  f.style.cssText = "border:0;max-width:100%";
  /* Right after the script; at the end of the body when it was pasted into <head>. */
  function place() { if (s.closest("body")) s.after(f); else d.body.append(f); }
  if (s.closest("head") && !d.body) d.addEventListener("DOMContentLoaded", place);
  else place();
  /* The widget reports its height so the frame fits it, without scrollbars. */
  addEventListener("message", function (e) {
    var h = e.data && e.data.cairnHeight;
    if (e.origin === src.origin && e.source === f.contentWindow && h > 0) f.height = Math.min(Math.ceil(h), 2000);
  });
})(document);

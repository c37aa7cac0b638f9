// riffchain explorer: small progressive enhancements. Every page works
// without this file.
"use strict";

// Copy buttons next to CLI commands.
function setupCopy() {
  document.querySelectorAll("button.copy").forEach(function (b) {
    if (!navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(b.dataset.copy).then(function () {
        b.textContent = "Copied";
        setTimeout(function () { b.textContent = "Copy"; }, 1500);
      });
    });
  });
}

// Re-weight controls: show the value while dragging, re-rank on release.
// Unchanged weights and empty filters are left out of the address, so a
// shared link says only what differs.
function setupWeights() {
  var form = document.getElementById("view-form");
  if (!form) return;
  form.addEventListener("submit", function () { trimForm(form); });
  form.querySelectorAll("input[type=range]").forEach(function (r) {
    var out = form.querySelector("output[for='" + r.id + "']");
    r.addEventListener("input", function () {
      if (out) out.textContent = (r.value / 10000).toString().replace(/\.?0+$/, "") + "%";
    });
    r.addEventListener("change", function () { trimForm(form); form.submit(); });
  });
  form.querySelectorAll("select").forEach(function (s) {
    s.addEventListener("change", function () { trimForm(form); form.submit(); });
  });
}

function trimForm(form) {
  form.querySelectorAll("input, select").forEach(function (el) {
    if (el.value === "" || (el.type === "range" && el.value === el.dataset.followed)) el.disabled = true;
  });
}

// Overview: new blocks and txs appear without a reload (server-sent events).
function setupLive() {
  var body = document.getElementById("blocks-body");
  if (!body || !window.EventSource) return;
  if (new URLSearchParams(location.search).has("height")) return; // a pinned height stays still
  var shown = parseInt((document.getElementById("latest-height") || {}).textContent || "0", 10);
  var loaded = shown; // txs up to here are on the page already
  var es = new EventSource("/api/v1/live");
  es.addEventListener("block", function (ev) {
    var b = JSON.parse(ev.data);
    if (b.height <= shown) return;
    shown = b.height;
    var tr = document.createElement("tr");
    tr.className = "new";
    var cells = [b.height, b.time.replace("T", " ").replace(/\..*$/, "").replace("Z", "") + " UTC", b.txs,
      b.proposer.slice(0, 10) + "…" + b.proposer.slice(-4)];
    cells.forEach(function (c, i) {
      var td = document.createElement("td");
      var inner = td;
      if (i === 0) {
        inner = document.createElement("a");
        inner.href = "/block/" + b.height;
      } else if (i === 3) {
        inner = document.createElement("code");
      }
      inner.textContent = String(c);
      if (inner !== td) td.appendChild(inner);
      tr.appendChild(td);
    });
    body.insertBefore(tr, body.firstChild);
    while (body.children.length > 10) body.removeChild(body.lastChild);
    var lh = document.getElementById("latest-height");
    if (lh) lh.textContent = String(b.height);
  });
  var txs = document.getElementById("txs");
  if (!txs) return;
  es.addEventListener("tx", function (ev) {
    var t = JSON.parse(ev.data);
    if (t.height <= loaded || txs.querySelector("a[href='/tx/" + t.hash + "']")) return;
    var li = document.createElement("li");
    li.className = "new" + (t.code ? " failed" : "");
    var a = document.createElement("a");
    a.href = "/tx/" + t.hash;
    var code = document.createElement("code");
    code.textContent = t.hash.slice(0, 10) + "…" + t.hash.slice(-4);
    a.appendChild(code);
    var bl = document.createElement("a");
    bl.href = "/block/" + t.height;
    bl.textContent = String(t.height);
    li.append(a, " at ", bl, ": " + (t.words || []).join("; "));
    if (t.code) {
      var bad = document.createElement("span");
      bad.className = "bad";
      bad.textContent = "failed (code " + t.code + ")";
      li.append(" ", bad);
    }
    txs.insertBefore(li, txs.firstChild);
    while (txs.children.length > 10) txs.removeChild(txs.lastChild);
    var none = document.getElementById("no-txs");
    if (none) none.remove();
  });
}

document.addEventListener("DOMContentLoaded", function () {
  setupCopy();
  setupWeights();
  setupLive();
});

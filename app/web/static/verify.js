// riffchain explorer: the page checks what it shows. The values a person
// reads on the account, asset, agreement, Lens and pool pages are checked
// in the browser by the project's verifier (package app/verify, compiled
// to WebAssembly): the header that commits to the state the page shows
// must be signed by more than 2/3 of its validator set (pinned per chain
// on first success), and the visible text of each value must be what an
// ICS-23 proof against that header's app hash holds, written as the page
// writes it. Which values are claims, and what the page is about, this
// file decides (from the address bar), not the node: a node can change
// the page's text but not what is checked. Each proven value gets a ✓;
// each value that is not what is proven is struck out in red with
// "not verified"; the page says "verified" in green or "not verified" in
// red with the reason.
"use strict";

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error(url + ": " + r.status);
  return r.json();
}

// The header at h exists once block h is committed: wait for it a while.
async function getLight(h) {
  for (let i = 0; ; i++) {
    const r = await fetch("/api/v1/light/" + h);
    if (r.ok) return r.json();
    if (i >= 30 || r.status !== 404) throw new Error("header " + h + ": " + r.status);
    await new Promise(function (res) { setTimeout(res, 200); });
  }
}

let verifierReady = null;
function loadVerifier() {
  if (!verifierReady) {
    verifierReady = (async function () {
      const go = new Go();
      const res = await WebAssembly.instantiateStreaming(fetch("/static/verify.wasm"), go.importObject);
      go.run(res.instance);
      return true;
    })();
  }
  return verifierReady;
}

// The claims of each page: elements (rows) of a kind, their fields
// ([data-f] inside) and, for rows whose text does not say which record
// they are, a reference taken from the page's structure.
function refIndex(el, i) { return String(i); }
function refAgreementLink(el) {
  const a = el.querySelector("a[href^='/agreement/']");
  return a ? a.getAttribute("href").slice("/agreement/".length) : "";
}
function refAccountLink(el) {
  const a = el.querySelector("a[href^='/account/']");
  return a ? a.getAttribute("href").slice("/account/".length) : "";
}
function refEntry(el, i, shown) { return (shown.lens || "") + "/" + (shown.seq || ""); }
const PAGES = {
  account: [["#nonce", "nonce"], ["#balances tbody tr", "balance"], ["#lenses li", "lens-owned"],
    ["#roles-held li", "role-held"], ["#collectives tbody tr", "collective", refAccountLink],
    ["#agreements tbody tr", "agreement-row", refAgreementLink]],
  asset: [["#asset-facts", "asset"], ["#holders tbody tr", "holder"]],
  agreement: [["#agreement-facts", "agreement"], ["#parties li", "party"], ["#obligations li", "obligation", refIndex],
    ["#timeline li", "event", refIndex]],
  lens: [["#lens-facts", "lens"], ["#roles li", "lens-role", refAccountLink], ["#follows li", "follow"],
    ["#entries li", "entry", refEntry]],
  pool: [["#pool-facts", "pool"]],
};

// visibleText is what a person reads in el: nothing if it is not shown.
function visibleText(el) {
  if (el.checkVisibility && !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return "";
  return el.innerText;
}

// claimsOfPage reads the claims of this page: [claims, field elements by
// claim]. null: nothing to verify here.
function claimsOfPage(kind) {
  const spec = PAGES[kind];
  if (!spec) return null;
  document.querySelectorAll(".proven, .unproven").forEach(function (e) { e.classList.remove("proven", "unproven"); });
  document.querySelectorAll(".claim-bad").forEach(function (e) { e.remove(); });
  const claims = [];
  const fields = [];
  spec.forEach(function (s) {
    document.querySelectorAll(s[0]).forEach(function (el, i) {
      const shown = {};
      const els = {};
      el.querySelectorAll("[data-f]").forEach(function (f) {
        const name = f.dataset.f;
        shown[name] = name in shown ? shown[name] + " " + visibleText(f) : visibleText(f);
        (els[name] = els[name] || []).push(f);
      });
      const c = { el: String(claims.length), kind: s[1], shown: shown };
      if (s[2]) c.ref = s[2](el, i, shown);
      claims.push(c);
      fields.push({ row: el, els: els });
    });
  });
  return claims.length ? [claims, fields] : null;
}

// markClaims shows each claim's verdict on its fields.
function markClaims(marks, fields) {
  (marks || []).forEach(function (m) {
    const f = fields[parseInt(m.el, 10)];
    if (!f) return;
    Object.keys(f.els).forEach(function (name) {
      const wrong = !m.verified && (!m.wrong || name in m.wrong);
      f.els[name].forEach(function (e) {
        // A field that reads as proven is proven, even when another field
        // of its row is not.
        e.classList.add(wrong ? "unproven" : "proven");
        if (wrong) e.title = m.wrong && name in m.wrong ? "the proof says: " + m.wrong[name] : m.error;
      });
      if (wrong) { // the badge goes inside the value, so the layout holds
        const b = document.createElement("span");
        b.className = "claim-bad";
        b.textContent = "not verified" + (m.wrong && name in m.wrong ? " (proof: " + (m.wrong[name] || "nothing") + ")" : "");
        f.els[name][f.els[name].length - 1].appendChild(b);
      }
    });
  });
}

function showReason(msg) {
  const r = document.getElementById("verify-reason");
  if (r) r.textContent = "(" + msg + ")";
}

async function verifyPage() {
  const el = document.getElementById("verify");
  const hEl = document.getElementById("shown-height");
  const parts = location.pathname.split("/");
  if (!el || !hEl || parts.length !== 3 || !window.WebAssembly || !window.Go) return;
  const found = claimsOfPage(parts[1]);
  if (!found) return;
  el.hidden = false;
  el.className = "verify";
  el.textContent = "verifying…";
  const chainID = document.body.dataset.chain;
  // The height the page says it shows, as a person reads it.
  const height = parseInt((/at height (\d+)/.exec(hEl.innerText) || [])[1], 10);
  const q = new URLSearchParams(location.search);
  q.set("prove", "true");
  q.set("height", String(height));
  const answerURL = "/api/v1" + location.pathname + "?" + q.toString();
  const pinKey = "riffchain-validators-" + chainID;
  try {
    if (!(height > 0)) throw new Error("the page does not say which height it shows");
    const t0 = performance.now();
    await loadVerifier();
    const t1 = performance.now();
    const both = await Promise.all([getJSON(answerURL), getLight(height + 1)]);
    const t2 = performance.now();
    const req = {
      chain_id: chainID, height: height, light: both[1], proofs: both[0].proofs || [],
      trusted_validators: localStorage.getItem(pinKey) || "", page: location.pathname, claims: found[0],
    };
    const res = JSON.parse(window.riffVerify(JSON.stringify(req)));
    const t3 = performance.now();
    el.dataset.loadMs = (t1 - t0).toFixed(1);
    el.dataset.fetchMs = (t2 - t1).toFixed(1);
    el.dataset.verifyMs = (t3 - t2).toFixed(1);
    markClaims(res.marks, found[1]);
    if (res.verified) {
      if (!req.trusted_validators) localStorage.setItem(pinKey, res.validators_hash);
      el.className = "verify ok";
      el.textContent = "verified";
      el.title = res.claims + " values proven (marked ✓) against app hash " + res.app_hash + " of header " + (height + 1) +
        ", signed by validators " + res.validators_hash;
    } else {
      el.className = "verify fail";
      el.textContent = "not verified";
      el.title = res.error;
      showReason(res.error);
    }
    el.dataset.result = JSON.stringify(res);
  } catch (e) {
    el.className = "verify fail";
    el.textContent = "not verified";
    el.title = String(e);
    showReason(String(e));
    el.dataset.result = JSON.stringify({ verified: false, error: String(e) });
  }
}

document.addEventListener("DOMContentLoaded", verifyPage);

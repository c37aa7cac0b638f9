// riffchain explorer: the page checks its own ownership answers. The
// balances an account page shows are verified in the browser by the
// project's verifier (package app/verify, compiled to WebAssembly): the
// header that commits to the state the page shows must be signed by more
// than 2/3 of its validator set (pinned per chain on first success), and
// each balance shown must be proven by an ICS-23 proof against that
// header's app hash. The result: "verified" in green, or "not verified"
// in red with the reason.
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

async function verifyBalances() {
  const el = document.getElementById("verify");
  const rows = document.querySelectorAll("#balances tr.balance");
  const addrEl = document.getElementById("address");
  const hEl = document.getElementById("shown-height");
  if (!el || !rows.length || !addrEl || !hEl || !window.WebAssembly || !window.Go) return;
  el.hidden = false;
  el.className = "verify";
  el.textContent = "verifying…";
  const chainID = document.body.dataset.chain;
  const height = parseInt(hEl.dataset.height, 10);
  const address = addrEl.textContent.trim();
  const balances = Array.from(rows).map(function (r) {
    return { address: address, asset: r.dataset.asset, amount: r.dataset.amount };
  });
  const pinKey = "riffchain-validators-" + chainID;
  try {
    const t0 = performance.now();
    await loadVerifier();
    const t1 = performance.now();
    const both = await Promise.all([
      getJSON("/api/v1/account/" + encodeURIComponent(address) + "?prove=true&height=" + height),
      getLight(height + 1),
    ]);
    const t2 = performance.now();
    const req = {
      chain_id: chainID, height: height, light: both[1], proofs: both[0].proofs || [],
      balances: balances, trusted_validators: localStorage.getItem(pinKey) || "",
    };
    const res = JSON.parse(window.riffVerify(JSON.stringify(req)));
    const t3 = performance.now();
    el.dataset.loadMs = (t1 - t0).toFixed(1);
    el.dataset.fetchMs = (t2 - t1).toFixed(1);
    el.dataset.verifyMs = (t3 - t2).toFixed(1);
    if (res.verified) {
      if (!req.trusted_validators) localStorage.setItem(pinKey, res.validators_hash);
      el.className = "verify ok";
      el.textContent = "verified";
      el.title = balances.length + " balances proven against app hash " + res.app_hash + " of header " + (height + 1) +
        ", signed by validators " + res.validators_hash;
    } else {
      el.className = "verify fail";
      el.textContent = "not verified";
      el.title = res.error;
    }
    el.dataset.result = JSON.stringify(res);
  } catch (e) {
    el.className = "verify fail";
    el.textContent = "not verified";
    el.title = String(e);
    el.dataset.result = JSON.stringify({ verified: false, error: String(e) });
  }
}

document.addEventListener("DOMContentLoaded", verifyBalances);

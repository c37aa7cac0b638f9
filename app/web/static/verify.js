// riffchain explorer: the page checks its own ownership answers. The
// balances, holders, agreement record, Lens owner, asset definition and
// pool record, reserves and share total a page shows are
// verified in the browser by the project's verifier (package app/verify, compiled to WebAssembly): the
// header that commits to the state the page shows must be signed by more
// than 2/3 of its validator set (pinned per chain on first success), and
// each answer shown must be proven by an ICS-23 proof against that
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

// claimsOfPage reads what the page shows that the verifier can check:
// balances (account), holders and definition (asset), the record
// (agreement), the owner (Lens), the record, reserves and share total
// (pool). null: nothing to verify here.
function claimsOfPage() {
  const c = {};
  const addrEl = document.getElementById("address");
  const balances = document.querySelectorAll("#balances tr.balance");
  if (addrEl && balances.length) {
    const address = addrEl.textContent.trim();
    c.balances = Array.from(balances).map(function (r) {
      return { address: address, asset: r.dataset.asset, amount: r.dataset.amount };
    });
  }
  const assetEl = document.getElementById("asset-id");
  const holders = document.querySelectorAll("#holders tr.holder");
  if (assetEl && holders.length) {
    const asset = assetEl.textContent.trim();
    c.holders = Array.from(holders).map(function (r) {
      return { address: r.dataset.address, asset: asset, amount: r.dataset.amount };
    });
  }
  const agrEl = document.getElementById("agreement-id");
  const statusEl = document.getElementById("agreement-status");
  if (agrEl && statusEl) {
    c.agreement = {
      id: agrEl.textContent.trim(), status: statusEl.dataset.status,
      parties: Array.from(document.querySelectorAll("#parties li.party")).map(function (li) { return li.dataset.address; }),
    };
  }
  const ownerEl = document.getElementById("lens-owner");
  const handleEl = document.getElementById("lens-handle");
  if (ownerEl && handleEl) {
    c.owner = { asset: "LENS", item: handleEl.textContent.trim(), owner: ownerEl.dataset.owner };
  }
  const supplyEl = document.getElementById("supply");
  if (assetEl && supplyEl) {
    c.asset = {
      id: assetEl.textContent.trim(), issuer: supplyEl.dataset.issuer,
      decimals: parseInt(supplyEl.dataset.decimals, 10), supply: supplyEl.dataset.supply,
    };
  }
  const poolEl = document.getElementById("pool-id");
  const resEl = document.getElementById("reserves");
  if (poolEl && resEl) {
    const d = resEl.dataset;
    const sh = (document.getElementById("shares") || { dataset: {} }).dataset;
    c.pool = {
      id: poolEl.textContent.trim(), asset_a: d.assetA, asset_b: d.assetB, fee_bps: parseInt(d.feeBps, 10),
      account: d.account, share_asset: sh.shareAsset,
    };
    c.supplies = [{ asset: sh.shareAsset, supply: sh.total }];
    c.balances = [
      { address: d.account, asset: d.assetA, amount: d.reserveA },
      { address: d.account, asset: d.assetB, amount: d.reserveB },
    ];
  }
  return Object.keys(c).length ? c : null;
}

function showReason(msg) {
  const r = document.getElementById("verify-reason");
  if (r) r.textContent = "(" + msg + ")";
}

async function verifyPage() {
  const el = document.getElementById("verify");
  const hEl = document.getElementById("shown-height");
  const jsonEl = document.getElementById("json-link");
  const claims = claimsOfPage();
  if (!el || !hEl || !jsonEl || !claims || !window.WebAssembly || !window.Go) return;
  el.hidden = false;
  el.className = "verify";
  el.textContent = "verifying…";
  const chainID = document.body.dataset.chain;
  const height = parseInt(hEl.dataset.height, 10);
  let answerURL = jsonEl.getAttribute("href");
  answerURL += (answerURL.indexOf("?") < 0 ? "?" : "&") + "prove=true&height=" + height;
  const pinKey = "riffchain-validators-" + chainID;
  try {
    const t0 = performance.now();
    await loadVerifier();
    const t1 = performance.now();
    const both = await Promise.all([getJSON(answerURL), getLight(height + 1)]);
    const t2 = performance.now();
    const req = Object.assign({
      chain_id: chainID, height: height, light: both[1], proofs: both[0].proofs || [],
      trusted_validators: localStorage.getItem(pinKey) || "",
    }, claims);
    const res = JSON.parse(window.riffVerify(JSON.stringify(req)));
    const t3 = performance.now();
    el.dataset.loadMs = (t1 - t0).toFixed(1);
    el.dataset.fetchMs = (t2 - t1).toFixed(1);
    el.dataset.verifyMs = (t3 - t2).toFixed(1);
    if (res.verified) {
      if (!req.trusted_validators) localStorage.setItem(pinKey, res.validators_hash);
      el.className = "verify ok";
      el.textContent = "verified";
      el.title = res.claims + " answers proven against app hash " + res.app_hash + " of header " + (height + 1) +
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

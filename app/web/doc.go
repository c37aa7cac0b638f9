// Package web is the node's explorer: server-rendered pages (html/template
// and embed, no JavaScript needed to read them) and the JSON API at
// /api/v1/... they are built from. Every answer comes from the app's own
// query paths through the node's RPC client (an ABCI query per question),
// never from reading state directly, so the pages show exactly what
// `riffchain query ... -o json` shows, at a height they name.
//
// The explorer is read-only. It is served on its own address (web_addr in
// app.toml), a different origin from the IPFS gateway, under a Content
// Security Policy that allows no inline script; media on Lens pages play
// from the gateway's origin. See spec/api.md.
package web

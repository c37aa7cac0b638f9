package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/lens/content"
)

// TestCollectiveExecEndToEnd: a 2-of-3 collective creates a Lens, grants a
// role and adds an entry through `collective exec|sign|submit`.
func TestCollectiveExecEndToEnd(t *testing.T) {
	n := startDevNode(t)
	addr := map[string]string{}
	for _, k := range []string{"m1", "m2", "m3", "dave"} {
		addr[k] = str(n.ok("keys", "add", k), "address")
	}
	n.ok("tx", "transfer", "m1", "1000", "RIFF", "--from", "dev")
	coll := str(n.ok("tx", "collective", "create", "--member", "m1", "--member", "m2", "--member", "m3",
		"--threshold", "2", "--from", "m1"), "collective")

	dir := t.TempDir()
	cid := content.RawCID([]byte("co-op post")).String()
	msgs := []app.Msg{
		mustCLIMsg(t, lens.TypeCreate, lens.MsgCreate{Handle: "coop", Name: "Co-op"}),
		mustCLIMsg(t, lens.TypeGrant, map[string]string{"lens": "coop", "address": addr["dave"], "role": "member"}),
		mustCLIMsg(t, lens.TypeAddEntry, lens.MsgAddEntry{Lens: "coop", CID: cid, Kind: "post", Title: "by the co-op"}),
	}
	msgFile := filepath.Join(dir, "msgs.json")
	b, _ := json.Marshal(msgs)
	if err := os.WriteFile(msgFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "exec.json")
	built := n.ok("collective", "exec", coll, "--msg-file", msgFile, "--out", file)
	if str(built, "version") != "1" || str(built, "nonce") != "1" || str(built, "msgs") != "3" {
		t.Fatalf("built %v", built)
	}
	n.ok("collective", "sign", file, "--from", "m2")
	// One signature is below the threshold: refused with code 139.
	if out := n.fails("collective", "submit", file, "--from", "dave"); str(out, "code") != "139" {
		t.Fatalf("below threshold: %v", out)
	}
	// check says so before sending, with the code the chain gives.
	if out := n.fails("collective", "check", file); str(out, "code") != "139" || out["complete"] != false || len(list(out, "signers")) != 1 {
		t.Fatalf("check below threshold: %v", out)
	}
	n.fails("collective", "sign", file, "--from", "m2") // twice
	n.ok("collective", "sign", file, "--from", "m3")
	if out := n.ok("collective", "check", file); out["complete"] != true || str(out, "threshold") != "2" || str(out, "next_nonce") != "1" || len(list(out, "not_members")) != 0 {
		t.Fatalf("check: %v", out)
	}
	out := n.ok("collective", "submit", file, "--from", "m1")
	if str(out, "collective") != coll || out["exec_nonce"] != float64(1) || str(out, "lens") != "coop" || len(list(out, "signers")) != 2 || str(out, "summary") == "" {
		t.Fatalf("submit %v", out)
	}
	info := n.ok("query", "lens", "coop", "--prove")
	if str(info, "owner") != coll || !strings.Contains(mustJSON(t, info["roles"]), addr["dave"]) {
		t.Fatalf("lens %v", info)
	}
	// A replay of the same file is refused (nonce, code 137); check knew.
	if out := n.fails("collective", "check", file); str(out, "code") != "137" || str(out, "next_nonce") != "2" {
		t.Fatalf("check after use: %v", out)
	}
	if out := n.fails("collective", "submit", file, "--from", "m1"); str(out, "code") != "137" {
		t.Fatalf("replay: %v", out)
	}
	if st := n.ok("query", "collective", coll); str(st, "version") != "1" {
		t.Fatalf("collective %v", st)
	}

	// What an address belongs to, each entry proven: dave's role in the
	// Lens the collective owns (granted by it, active), and the
	// collectives m2 is a member of.
	roles := n.ok("query", "roles", "dave", "--prove")
	if roles["proof_verified"] != true || str(roles, "address") != addr["dave"] || str(roles, "count") != "1" || str(roles, "next") != "" {
		t.Fatalf("roles %v", roles)
	}
	r := list(roles, "roles")[0].(map[string]any)
	if str(r, "lens") != "coop" || str(r, "role") != "member" || r["active"] != true || str(r, "granted_by") != coll || str(r, "owner") != coll {
		t.Fatalf("role %v", r)
	}
	colls := n.ok("query", "collectives", "m2", "--prove")
	if colls["proof_verified"] != true || str(colls, "member") != addr["m2"] || str(colls, "count") != "1" || str(colls, "next") != "" {
		t.Fatalf("collectives %v", colls)
	}
	if c := list(colls, "collectives")[0].(map[string]any); str(c, "address") != coll || len(list(c, "members")) != 3 || str(c, "threshold") != "2" {
		t.Fatalf("collective listed %v", c)
	}
	if none := n.ok("query", "collectives", "dave", "--prove"); none["proof_verified"] != true || str(none, "count") != "0" || len(list(none, "collectives")) != 0 {
		t.Fatalf("dave's collectives %v", none)
	}
	// Text output is a table, one row per role.
	text, err := n.run("query", "roles", "dave", "-o", "text")
	if err != nil || !strings.Contains(text, "roles:\n") || !strings.Contains(text, "coop") || !strings.Contains(text, "member") {
		t.Fatalf("roles as text: %q %v", text, err)
	}
}

func mustCLIMsg(t *testing.T, typ string, v any) app.Msg {
	t.Helper()
	m, err := msg(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

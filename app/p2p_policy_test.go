package app

import (
	"testing"
)

func TestIsLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"tcp://127.0.0.1:26656":           true,
		"127.0.0.5:1":                     true,
		"id@127.0.0.1:26656":              true,
		"tcp://[::1]:26656":               true,
		"localhost:26657":                 true,
		"http://localhost:26657":          true,
		"tcp://0.0.0.0:26656":             false,
		"tcp://10.0.0.2:26656":            false,
		"id@203.0.113.7:26656":            false,
		"tcp://node.example.org:26656":    false,
		"":                                false,
		"tcp://127.0.0.1.example.org:123": false,
	} {
		if got := IsLoopbackAddr(addr); got != want {
			t.Errorf("IsLoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestInitHomeStrictP2P: a home made by init has a strict address book
// and one peer per IP.
func TestInitHomeStrictP2P(t *testing.T) {
	home := t.TempDir()
	if _, err := InitHome(InitOptions{Home: home, ChainID: "p2p-test", Moniker: "n"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.P2P.AddrBookStrict || cfg.P2P.AllowDuplicateIP {
		t.Fatalf("addr_book_strict=%v allow_duplicate_ip=%v, want true/false", cfg.P2P.AddrBookStrict, cfg.P2P.AllowDuplicateIP)
	}
}

package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppConfigStrict: a key no setting has is refused naming the nearest
// known key; values that do not parse or are out of range are refused at
// load, naming the key; a good file loads.
func TestAppConfigStrict(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteAppConfig(home, DefaultAppConfig()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "config", "app.toml")
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		add      string
		sentinel error
		want     []string // all in the error
	}{
		{"good", "min_fees = [{ asset = \"RIFF\", amount = \"10\" }]\n", nil, nil},
		{"fee per gas", "min_fees = [{ asset = \"RIFF\", amount = \"1\", per_gas = 100000 }]\n", nil, nil},
		{"fee per gas negative", "min_fees = [{ asset = \"RIFF\", amount = \"1\", per_gas = -5 }]\n", nil, []string{"per_gas"}},
		{"typo", "state_keep_recnt = 100\n", ErrConfigUnknownKey, []string{`"state_keep_recnt"`, `did you mean "state_keep_recent"`}},
		{"unrelated key", "colour = \"blue\"\n", ErrConfigUnknownKey, []string{`"colour"`, "known keys"}},
		{"fee amount not a number", "min_fees = [{ asset = \"RIFF\", amount = \"ten\" }]\n", ErrConfigValue, []string{"min_fees[0].amount", `"ten"`}},
		{"fee asset malformed", "min_fees = [{ asset = \"riff coin\", amount = \"10\" }]\n", ErrConfigValue, []string{"min_fees[0].asset"}},
		{"fee entry key typo", "min_fees = [{ asset = \"RIFF\", amout = \"10\" }]\n", nil, []string{"amout"}},
		{"negative size", "max_tx_bytes = -1\n", ErrConfigValue, []string{"max_tx_bytes"}},
		{"address without port", "metrics_addr = \"127.0.0.1\"\n", ErrConfigValue, []string{"metrics_addr", "HOST:PORT"}},
		{"kubo api not a URL", "content_ipfs_api = \"localhost:5001\"\n", ErrConfigValue, []string{"content_ipfs_api"}},
		{"unknown profile", "content_profile = \"2mib\"\n", ErrConfigValue, []string{"content_profile"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := string(written)
			for _, line := range strings.Split(strings.TrimSpace(tc.add), "\n") { // replace the default line of that key
				key, _, _ := strings.Cut(line, " =")
				var kept []string
				for _, l := range strings.Split(body, "\n") {
					if !strings.HasPrefix(l, key+" =") {
						kept = append(kept, l)
					}
				}
				body = strings.Join(kept, "\n")
			}
			if err := os.WriteFile(path, []byte(tc.add+body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadAppConfig(home)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("LoadAppConfig: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadAppConfig accepted it")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v is not %v", err, tc.sentinel)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestNearestKey(t *testing.T) {
	known := ConfigKeys(AppConfig{})
	for in, want := range map[string]string{
		"state_keep_recnt":  "state_keep_recent",
		"min_fee":           "min_fees",
		"gateway_address":   "gateway_addr",
		"completely_else_x": "",
	} {
		if got := NearestKey(in, known); got != want {
			t.Errorf("NearestKey(%q) = %q, want %q", in, got, want)
		}
	}
}

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/ledger"
)

// TestAppConfigStateCacheNodes: init writes the default node cache size,
// an operator's value is read back, an app.toml from before the setting
// existed gets the default, and values that cannot work are refused with
// the setting's name.
func TestAppConfigStateCacheNodes(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "config", "app.toml")
	if err := WriteAppConfig(home, DefaultAppConfig()); err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(written), "state_cache_nodes = 100000\n") {
		t.Fatalf("app.toml written by init has no default state_cache_nodes:\n%s", written)
	}
	tests := []struct {
		name    string
		edit    func(string) string
		want    int
		wantErr string
	}{
		{"default", func(s string) string { return s }, ledger.DefaultCacheNodes, ""},
		{"operator's value", func(s string) string {
			return strings.Replace(s, "state_cache_nodes = 100000", "state_cache_nodes = 750000", 1)
		}, 750_000, ""},
		{"older app.toml without the setting", func(s string) string {
			return strings.Replace(s, "state_cache_nodes = 100000\n", "", 1)
		}, ledger.DefaultCacheNodes, ""},
		{"zero", func(s string) string {
			return strings.Replace(s, "state_cache_nodes = 100000", "state_cache_nodes = 0", 1)
		}, 0, "state_cache_nodes = 0"},
		{"negative", func(s string) string {
			return strings.Replace(s, "state_cache_nodes = 100000", "state_cache_nodes = -5", 1)
		}, 0, "state_cache_nodes = -5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tc.edit(string(written))), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := LoadAppConfig(home)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("LoadAppConfig: %v, want an error naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.StateCacheNodes != tc.want {
				t.Fatalf("state_cache_nodes = %d, want %d", c.StateCacheNodes, tc.want)
			}
		})
	}
}

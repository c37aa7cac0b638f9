package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/app"
)

func TestClientConfigStrict(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		sentinel   error
		want       string
	}{
		{"good", "node = \"tcp://127.0.0.1:26657\"\noutput = \"json\"\nkeyring-backend = \"test\"\n", nil, ""},
		{"bare host:port node", "node = \"127.0.0.1:26657\"\n", nil, ""},
		{"underscore typo", "keyring_backend = \"test\"\n", app.ErrConfigUnknownKey, `did you mean "keyring-backend"`},
		{"unknown key", "nodes = \"tcp://127.0.0.1:26657\"\n", app.ErrConfigUnknownKey, `did you mean "node"`},
		{"bad output", "output = \"yaml\"\n", app.ErrConfigValue, "text or json"},
		{"bad backend", "keyring-backend = \"os\"\n", app.ErrConfigValue, "file or test"},
		{"bad node", "node = \"localhost\"\n", app.ErrConfigValue, "RPC address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "client.toml")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			err := checkClientFile(path)
			if tc.sentinel == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("checkClientFile: %v, want %v naming %q", err, tc.sentinel, tc.want)
			}
		})
	}
}

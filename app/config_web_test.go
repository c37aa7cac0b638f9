package app

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestAppConfigWeb(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteAppConfig(home, DefaultAppConfig()); err != nil {
		t.Fatal(err)
	}
	c, err := LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if c.WebAddr != "" || len(c.WebCORSOrigins) != 0 {
		t.Fatalf("explorer on or CORS open by default: %q %v", c.WebAddr, c.WebCORSOrigins)
	}
	c.WebAddr, c.WebCORSOrigins = "127.0.0.1:8090", []string{"https://a.example", `https://b.example/"x"`}
	if err := WriteAppConfig(home, c); err != nil {
		t.Fatal(err)
	}
	got, err := LoadAppConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if got.WebAddr != c.WebAddr || !reflect.DeepEqual(got.WebCORSOrigins, c.WebCORSOrigins) {
		t.Fatalf("round trip: %q %v", got.WebAddr, got.WebCORSOrigins)
	}
}

package web

import (
	"net/url"
	"testing"
)

// FuzzLensQuery: any query string a browser sends to a Lens page is either
// refused with ErrBadRequest or turned into a bounded, sorted reweight
// argument and a share link, never a panic.
func FuzzLensQuery(f *testing.F) {
	f.Add("depth=2&w.lens-c=0&tag=film")
	f.Add("w.a=1000000&w.b=0&after=xyz&kind=video")
	f.Add("w.=1&w.%00=2")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		rw, w, err := reweightParam(q)
		if err != nil {
			return
		}
		if len(w) > maxReweights {
			t.Fatalf("%d re-weights accepted", len(w))
		}
		for h, ppm := range w {
			if ppm > 1_000_000 || h == "" {
				t.Fatalf("bad re-weight %q=%d from %q (%q)", h, ppm, raw, rw)
			}
		}
		_ = withParam(q, "after", "x")
	})
}

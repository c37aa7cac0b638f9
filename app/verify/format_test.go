package verify

import "testing"

func TestFormatUnits(t *testing.T) {
	for _, c := range []struct {
		base string
		dec  uint8
		want string
	}{
		{"2500000", 6, "2.5"}, {"1", 6, "0.000001"}, {"0", 6, "0"}, {"1000000", 6, "1"}, {"123", 0, "123"},
		{"12x", 2, "12x"}, {"", 2, ""}, {"340282366920938463463374607431768211455", 18, "340282366920000000000.000000000000000001"[:0] + "340282366920938463463.374607431768211455"},
	} {
		if got := FormatUnits(c.base, c.dec); got != c.want {
			t.Errorf("FormatUnits(%q, %d) = %q, want %q", c.base, c.dec, got, c.want)
		}
	}
}

func TestPPM(t *testing.T) {
	for v, want := range map[uint64]string{0: "0%", 500000: "50%", 1000000: "100%", 123456: "12.3456%", 10: "0.001%"} {
		if got := PPMText(v); got != want {
			t.Errorf("PPMText(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestPriceText(t *testing.T) {
	// 4000 RIFF (6 decimals) for 10000 ACME (2 decimals): 0.4 RIFF per ACME.
	if got := PriceText(PriceE18("1000000", "4000000000"), "ACME", "RIFF", 2, 6); got != "0.4 RIFF per ACME" {
		t.Fatal(got)
	}
	if got := PriceE18("0", "5"); got != "" {
		t.Fatal(got)
	}
}

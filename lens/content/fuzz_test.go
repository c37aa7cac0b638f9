package content

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
)

// FuzzImportCAR feeds arbitrary bytes to ImportCAR: it must never panic,
// must fail only with this package's sentinels, and must store only blocks
// that verify.
func FuzzImportCAR(f *testing.F) {
	ctx := context.Background()
	src, _ := NewMemory(ProfileDefault)
	fc, _ := src.Add(ctx, bytes.NewReader(vectorData("fuzz", 300000)))
	var car bytes.Buffer
	if _, err := ExportCAR(ctx, src, &car, []cid.Cid{fc}, ExportOptions{Manifest: []byte("m")}); err != nil {
		f.Fatal(err)
	}
	f.Add(car.Bytes())
	f.Add(car.Bytes()[:60])
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xa1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x02}) // {"version":2}
	f.Fuzz(func(t *testing.T, data []byte) {
		dst, _ := NewMemory(ProfileDefault)
		res, err := ImportCAR(ctx, dst, bytes.NewReader(data))
		if err != nil {
			for _, s := range []error{ErrBadCAR, ErrCorrupt, ErrTooLarge, ErrUnsupported} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("unclassified error: %v", err)
		}
		for _, r := range res.Roots {
			if !r.Defined() {
				t.Fatal("undefined root returned")
			}
		}
	})
}

// FuzzCheckRanges: a Range header is request bytes from anyone; checking it
// never panics, and a header it lets through lists at most max ranges.
func FuzzCheckRanges(f *testing.F) {
	for _, s := range []string{"bytes=0-0", "bytes=0-1,1-2", "bytes=-5", "bytes=5-", "bytes=0-1,,2-3", "items=1-2", "bytes=9223372036854775807-", strings.Repeat("0-0,", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		const max = 4
		err := checkRanges(h, max)
		if err != nil {
			if !errors.Is(err, ErrTooManyRanges) {
				t.Fatalf("error %v is not ErrTooManyRanges", err)
			}
			return
		}
		if spec, ok := strings.CutPrefix(h, "bytes="); ok {
			n := 0
			for _, p := range strings.Split(spec, ",") {
				if strings.TrimSpace(p) != "" {
					n++
				}
			}
			if n > max {
				t.Fatalf("%d ranges let through", n)
			}
		}
	})
}

// FuzzParseAddResponse: the IPFS node's add output is outside input too.
func FuzzParseAddResponse(f *testing.F) {
	f.Add([]byte(`{"Name":"f","Hash":"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku","Size":"0"}`))
	f.Add([]byte(`{"Message":"x","Type":"error"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseAddResponse(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBackend) {
				t.Fatalf("error %v is not ErrBackend", err)
			}
			return
		}
		if !c.Defined() {
			t.Fatal("undefined CID accepted")
		}
	})
}

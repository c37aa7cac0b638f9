package content

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	blocks "github.com/ipfs/go-block-format"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// fakeKubo is an httptest stand-in for kubo's RPC API backed by a memory
// store. tamper makes block/get flip a byte; wrongAdd makes add print the
// CID of other bytes.
type fakeKubo struct {
	t        *testing.T
	mu       sync.Mutex
	store    Store
	tamper   bool
	wrongAdd bool
	calls    map[string]int
	pinned   []string
	lastAdd  string // query of the last add
}

func newFakeKubo(t *testing.T) (*fakeKubo, *httptest.Server) {
	s, _ := NewMemory(ProfileDefault)
	f := &fakeKubo{t: t, store: s, calls: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func kuboFail(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]any{"Message": msg, "Code": 0, "Type": "error"})
}

func (f *fakeKubo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		http.Error(w, "405 - Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	cmd := strings.TrimPrefix(r.URL.Path, "/api/v0/")
	q := r.URL.Query()
	f.mu.Lock()
	f.calls[cmd]++
	tamper, wrongAdd := f.tamper, f.wrongAdd
	f.mu.Unlock()
	switch cmd {
	case "add":
		f.mu.Lock()
		f.lastAdd = r.URL.RawQuery
		f.mu.Unlock()
		size, _ := strconv.ParseInt(strings.TrimPrefix(q.Get("chunker"), "size-"), 10, 64)
		links := 174
		if v := q.Get("max-file-links"); v != "" {
			links, _ = strconv.Atoi(v)
		}
		if q.Get("cid-version") != "1" || q.Get("raw-leaves") != "true" {
			kuboFail(w, "fake only does cid-version=1 raw-leaves=true")
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			kuboFail(w, err.Error())
			return
		}
		part, err := mr.NextPart()
		if err != nil {
			kuboFail(w, err.Error())
			return
		}
		p := Profile{Name: "fake", ChunkSize: size, MaxLinks: links}
		st, err := newDAGStore(f.store.(*dagStore).raw, p)
		if err != nil {
			kuboFail(w, err.Error())
			return
		}
		c, err := st.Add(ctx, part)
		if err != nil {
			kuboFail(w, err.Error())
			return
		}
		if wrongAdd {
			c = RawCID([]byte("something else"))
		}
		fmt.Fprintf(w, "{\"Name\":\"file\",\"Bytes\":100}\n{\"Name\":\"file\",\"Hash\":\"%s\",\"Size\":\"1\"}\n", c)
	case "block/get":
		c, err := cid.Decode(q.Get("arg"))
		if err != nil {
			kuboFail(w, "invalid cid")
			return
		}
		b, err := f.store.GetBlock(ctx, c)
		if err != nil {
			kuboFail(w, "block was not found locally (offline): ipld: could not find "+c.String())
			return
		}
		data := bytes.Clone(b.RawData())
		if tamper && len(data) > 0 {
			data[len(data)/2] ^= 0x01
		}
		_, _ = w.Write(data)
	case "block/stat":
		c, err := cid.Decode(q.Get("arg"))
		if err != nil {
			kuboFail(w, "invalid cid")
			return
		}
		b, err := f.store.GetBlock(ctx, c)
		if err != nil {
			kuboFail(w, "blockservice: key not found")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Key": c.String(), "Size": len(b.RawData())})
	case "block/put":
		mr, err := r.MultipartReader()
		if err != nil {
			kuboFail(w, err.Error())
			return
		}
		part, err := mr.NextPart()
		if err != nil {
			kuboFail(w, err.Error())
			return
		}
		data, _ := io.ReadAll(part)
		codec := map[string]uint64{"raw": cid.Raw, "dag-pb": cid.DagProtobuf}[q.Get("cid-codec")]
		mht, ok := mh.Names[q.Get("mhtype")]
		if codec == 0 || !ok {
			kuboFail(w, "bad codec or hash")
			return
		}
		c, err := cid.Prefix{Version: 1, Codec: codec, MhType: mht, MhLength: -1}.Sum(data)
		if err != nil {
			kuboFail(w, err.Error())
			return
		}
		b, _ := blocks.NewBlockWithCid(data, c)
		if err := f.store.PutBlock(ctx, b); err != nil {
			kuboFail(w, err.Error())
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Key": c.String(), "Size": len(data)})
	case "pin/add":
		f.mu.Lock()
		f.pinned = append(f.pinned, q.Get("arg"))
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"Pins": []string{q.Get("arg")}})
	case "pin/rm":
		f.mu.Lock()
		defer f.mu.Unlock()
		i := slices.Index(f.pinned, q.Get("arg"))
		if i < 0 {
			kuboFail(w, "not pinned or pinned indirectly")
			return
		}
		f.pinned = slices.Delete(f.pinned, i, i+1)
		_ = json.NewEncoder(w).Encode(map[string]any{"Pins": []string{q.Get("arg")}})
	case "pin/ls":
		f.mu.Lock()
		keys := map[string]any{}
		for _, p := range f.pinned {
			keys[p] = map[string]string{"Type": "recursive"}
		}
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"Keys": keys})
	case "repo/gc":
		// Two removed keys, as kubo streams them.
		for _, k := range []string{"bafkqaaa", "bafkqaaa"} {
			_ = json.NewEncoder(w).Encode(map[string]any{"Key": map[string]string{"/": k}})
		}
	default:
		http.Error(w, "404 page not found", http.StatusNotFound)
	}
}

func (f *fakeKubo) set(tamper, wrongAdd bool) {
	f.mu.Lock()
	f.tamper, f.wrongAdd = tamper, wrongAdd
	f.mu.Unlock()
}

func TestKuboBackend(t *testing.T) {
	ctx := context.Background()
	v := loadVectors(t)
	fake, srv := newFakeKubo(t)
	for _, p := range Profiles() {
		s, err := OpenKubo(srv.URL+"/", p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range v.Files {
			if f.Size > 4<<20 {
				continue
			}
			want := f.CIDDefault
			if p == Profile1MiB {
				want = f.CID1MiB1024
			}
			data := vectorData(f.Seed, f.Size)
			c, err := s.Add(ctx, bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s size %d: add: %v", p, f.Size, err)
			}
			if c.String() != want {
				t.Fatalf("%s size %d: CID %s, want %s", p, f.Size, c, want)
			}
			r, err := s.Get(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s size %d: read back: %v", p, f.Size, err)
			}
		}
	}
	if !strings.Contains(fake.lastAdd, "max-file-links=1024") || !strings.Contains(fake.lastAdd, "chunker=size-1048576") {
		t.Fatalf("1mib add query %q", fake.lastAdd)
	}

	s, _ := OpenKubo(srv.URL, ProfileDefault)
	// Folder: built here, sent with block/put, root pinned.
	dc, err := s.AddPath(ctx, writeVectorDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if dc.String() != v.Directory.CID {
		t.Fatalf("folder CID %s, want %s", dc, v.Directory.CID)
	}
	if len(fake.pinned) != 1 || fake.pinned[0] != dc.String() || fake.calls["block/put"] == 0 {
		t.Fatalf("pinned %v, block/put calls %d", fake.pinned, fake.calls["block/put"])
	}
	bc, err := s.Resolve(ctx, dc, "sub/b.bin")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Has(ctx, bc); !ok || err != nil {
		t.Fatalf("Has = %v, %v", ok, err)
	}
	missing := RawCID([]byte("nowhere"))
	if ok, err := s.Has(ctx, missing); ok || err != nil {
		t.Fatalf("Has(missing) = %v, %v", ok, err)
	}
	if _, err := s.Get(ctx, missing); !errorsIs(err, ErrNotFound) {
		t.Fatalf("Get(missing) = %v, want ErrNotFound", err)
	}

	// A tampering node: every read fails verification with ErrCorrupt.
	big := vectorData("kubo-big", 1<<20)
	bigCID, err := s.Add(ctx, bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	fake.set(true, false)
	if _, err := s.GetBlock(ctx, bigCID); !errorsIs(err, ErrCorrupt) {
		t.Fatalf("GetBlock from tampering node = %v, want ErrCorrupt", err)
	}
	if _, err := s.Get(ctx, bigCID); !errorsIs(err, ErrCorrupt) {
		t.Fatalf("Get from tampering node = %v, want ErrCorrupt", err)
	}
	// Root honest, leaves tampered: the error surfaces from Read.
	fake.set(false, false)
	r, err := s.Get(ctx, bigCID)
	if err != nil {
		t.Fatal(err)
	}
	fake.set(true, false)
	if _, err := io.ReadAll(r); !errorsIs(err, ErrCorrupt) {
		t.Fatalf("Read from tampering node = %v, want ErrCorrupt", err)
	}
	// The gateway turns a corrupt root into 502, not wrong bytes.
	gw := httptest.NewServer(mustGateway(t, s, GatewayOptions{}))
	defer gw.Close()
	resp, err := http.Get(gw.URL + "/ipfs/" + bigCID.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("gateway over tampering node: status %d, want 502", resp.StatusCode)
	}

	// A node whose add settings differ: ErrCIDMismatch.
	fake.set(false, true)
	if _, err := s.Add(ctx, bytes.NewReader([]byte("x"))); !errorsIs(err, ErrCIDMismatch) {
		t.Fatalf("add with a disagreeing node = %v, want ErrCIDMismatch", err)
	}
	fake.set(false, false)

	// CAR export straight from the node, import into a local store.
	var car bytes.Buffer
	if _, err := ExportCAR(ctx, s, &car, []cid.Cid{dc}, ExportOptions{RequireComplete: true}); err != nil {
		t.Fatal(err)
	}
	local, _ := NewMemory(ProfileDefault)
	if _, err := ImportCAR(ctx, local, &car); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Resolve(ctx, dc, "sub/empty"); err != nil {
		t.Fatal(err)
	}
}

func TestKuboBackendErrors(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"", "ftp://x", "localhost:5001", "http://"} {
		if _, err := OpenKubo(u, ProfileDefault); !errorsIs(err, ErrBackend) {
			t.Errorf("OpenKubo(%q) = %v, want ErrBackend", u, err)
		}
	}
	// A server that is not kubo.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "teapot", http.StatusTeapot)
	}))
	defer srv.Close()
	s, err := OpenKubo(srv.URL, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, strings.NewReader("hello")); !errorsIs(err, ErrBackend) {
		t.Fatalf("Add = %v, want ErrBackend", err)
	}
	if _, err := s.GetBlock(ctx, RawCID([]byte("a"))); !errorsIs(err, ErrBackend) {
		t.Fatalf("GetBlock = %v, want ErrBackend", err)
	}
	if err := s.PutBlock(ctx, RawBlock([]byte("a"))); !errorsIs(err, ErrBackend) {
		t.Fatalf("PutBlock = %v, want ErrBackend", err)
	}
	// Unreachable node.
	dead, _ := OpenKubo("http://127.0.0.1:1", ProfileDefault)
	if _, err := dead.Has(ctx, RawCID([]byte("a"))); !errorsIs(err, ErrBackend) {
		t.Fatalf("Has on dead node = %v, want ErrBackend", err)
	}
}

func TestParseAddResponse(t *testing.T) {
	const c = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
	for _, tc := range []struct {
		in   string
		ok   bool
		want string
	}{
		{`{"Name":"f","Hash":"` + c + `","Size":"0"}`, true, c},
		{"{\"Name\":\"f\",\"Bytes\":5}\n\n{\"Name\":\"f\",\"Hash\":\"" + c + "\"}\n", true, c},
		{"", false, ""},
		{`{"Name":"f","Bytes":5}`, false, ""},
		{`{"Message":"boom","Type":"error"}`, false, ""},
		{`{"Hash":"nope"}`, false, ""},
		{`not json`, false, ""},
	} {
		got, err := parseAddResponse(strings.NewReader(tc.in))
		if tc.ok != (err == nil) || (tc.ok && got.String() != tc.want) {
			t.Errorf("%q = %s, %v", tc.in, got, err)
		}
		if !tc.ok && !errorsIs(err, ErrBackend) {
			t.Errorf("%q: error %v is not ErrBackend", tc.in, err)
		}
	}
}

// TestKuboLifecycle: pin, unpin, ls and gc go to the IPFS node's own pin
// API and repo/gc; ImportCAR pins the roots there, as `ipfs dag import`.
func TestKuboLifecycle(t *testing.T) {
	ctx := context.Background()
	fake, srv := newFakeKubo(t)
	s, err := OpenKubo(srv.URL, ProfileDefault)
	if err != nil {
		t.Fatal(err)
	}
	b := RawBlock([]byte("imported into kubo"))
	if _, err := ImportCAR(ctx, s, writeCAR(t, []cid.Cid{b.Cid()}, b)); err != nil {
		t.Fatal(err)
	}
	pins, err := s.Pins(ctx)
	if err != nil || len(pins) != 1 || !pins[0].CID.Equals(b.Cid()) {
		t.Fatalf("pins after import: %v %v", pins, err)
	}
	if err := s.Unpin(ctx, b.Cid(), PinUser); err != nil {
		t.Fatal(err)
	}
	if err := s.Unpin(ctx, b.Cid(), PinUser); !errorsIs(err, ErrNotPinned) {
		t.Fatalf("second unpin: %v", err)
	}
	if err := s.Pin(ctx, b.Cid(), PinSeed, true); err != nil {
		t.Fatal(err)
	}
	if res, err := s.GC(ctx, GCOptions{}); err != nil || res.Removed != 2 {
		t.Fatalf("gc: %+v %v", res, err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.calls["repo/gc"] != 1 || fake.calls["pin/rm"] != 2 || len(fake.pinned) != 1 {
		t.Fatalf("calls %v pinned %v", fake.calls, fake.pinned)
	}
}

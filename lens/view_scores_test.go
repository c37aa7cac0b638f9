package lens

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/riffchain/riffchain/ledger"
)

// TestViewScores runs the view cases of testdata/view_scores: small graphs
// written as lines, and the views they give, as tables (datadriven; run
// with -rewrite to regenerate the expected outputs). Commands:
//
//	graph            a new chain, then the body's lines (below)
//	exec             more lines on the current chain
//	view ROOT [depth=D] [tag=T] [kind=K] [limit=N] [rw=H:W,...] [gas]
//	                 the view's entries in order, "SCORE LENS/TITLE", and
//	                 "next" when a page follows; gas adds the gas it used.
//	                 Every view is also checked against the brute-force
//	                 enumeration (refView) and paged through 2 at a time.
//
// Lines: "lens H", "entry H TITLE [kind=K] [tags=a,b] [cid=C]" (the CID is
// that of C, default TITLE), "follow H TARGET W [tags=a,b]", "unfollow H
// TARGET", "block H cid=C", "block H lens=TARGET", "unblock H cid=C|lens=T".
// One owner signs everything.
func TestViewScores(t *testing.T) {
	var e *env
	datadriven.RunTest(t, "testdata/view_scores", func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "graph", "exec":
			if d.Cmd == "graph" {
				e = newEnv(t)
			}
			for _, line := range strings.Split(d.Input, "\n") {
				if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if err := e.apply(line); err != nil {
					d.Fatalf(t, "%s: %v", line, err)
				}
			}
			return "ok\n"
		case "view":
			return viewCase(t, e, d)
		}
		d.Fatalf(t, "unknown command %q", d.Cmd)
		return ""
	})
}

// apply runs one graph line as a message signed by the one owner.
func (e *env) apply(line string) error {
	f := strings.Fields(line)
	opts := map[string]string{}
	var pos []string
	for _, w := range f[1:] {
		if k, v, ok := strings.Cut(w, "="); ok {
			opts[k] = v
		} else {
			pos = append(pos, w)
		}
	}
	var tags []string
	if opts["tags"] != "" {
		tags = strings.Split(opts["tags"], ",")
	}
	arg := func(i int) string {
		if i < len(pos) {
			return pos[i]
		}
		return ""
	}
	owner := addr(1)
	_, err := e.exec(func(k *Keeper, b ledger.Block) (ledger.Output, error) {
		switch f[0] {
		case "lens":
			return k.ExecCreate(b, owner, &MsgCreate{Handle: arg(0), Name: arg(0)})
		case "entry":
			kind, cid := opts["kind"], opts["cid"]
			if kind == "" {
				kind = "post"
			}
			if cid == "" {
				cid = arg(1)
			}
			return k.ExecAddEntry(b, owner, &MsgAddEntry{Lens: arg(0), CID: testCID(cid), Kind: kind, Title: arg(1), Tags: tags})
		case "follow":
			w, err := strconv.ParseUint(arg(2), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("weight: %v", err)
			}
			return k.ExecFollow(b, owner, &MsgFollow{Lens: arg(0), Target: arg(1), Weight: uint32(w), Tags: tags})
		case "unfollow":
			return k.ExecUnfollow(b, owner, &MsgUnfollow{Lens: arg(0), Target: arg(1)})
		case "block", "unblock":
			var cid string
			if opts["cid"] != "" {
				cid = testCID(opts["cid"])
			}
			if f[0] == "block" {
				return k.ExecBlock(b, owner, &MsgBlock{Lens: arg(0), CID: cid, Target: opts["lens"]})
			}
			return k.ExecUnblock(b, owner, &MsgUnblock{Lens: arg(0), CID: cid, Target: opts["lens"]})
		}
		return nil, fmt.Errorf("unknown line")
	})
	if err == nil {
		err = CheckInvariants(e.tree)
	}
	return err
}

// viewCase runs a view command: the table of the answer, after checking it
// against the brute-force reference and against paging through it.
func viewCase(t *testing.T, e *env, d *datadriven.TestData) string {
	if len(d.CmdArgs) == 0 {
		d.Fatalf(t, "view needs a root")
	}
	root := d.CmdArgs[0].Key
	opts := ViewOptions{Limit: MaxLimit}
	showGas := false
	for _, a := range d.CmdArgs[1:] {
		v := ""
		if len(a.Vals) > 0 {
			v = a.Vals[0]
		}
		var err error
		switch a.Key {
		case "depth":
			opts.Depth, err = strconv.Atoi(v)
		case "limit":
			opts.Limit, err = strconv.Atoi(v)
		case "tag":
			opts.Tag = v
		case "kind":
			opts.Kind = v
		case "rw":
			opts.Reweight = map[string]uint32{}
			for _, hw := range a.Vals {
				h, w, _ := strings.Cut(hw, ":")
				n, perr := strconv.ParseUint(w, 10, 32)
				if perr != nil {
					err = perr
				}
				opts.Reweight[h] = uint32(n)
			}
		case "gas":
			showGas = true
		default:
			d.Fatalf(t, "unknown view argument %q", a.Key)
		}
		if err != nil {
			d.Fatalf(t, "%s: %v", a.Key, err)
		}
	}
	res, used, err := meteredView(e, 1<<50, root, opts)
	if err != nil {
		for _, s := range []struct {
			name string
			err  error
		}{{"ErrDepth", ErrDepth}, {"ErrBadQuery", ErrBadQuery}, {"ErrUnknownLens", ErrUnknownLens}, {"ErrViewTooLarge", ErrViewTooLarge}} {
			if errors.Is(err, s.err) {
				return "error: " + s.name + "\n"
			}
		}
		return fmt.Sprintf("error: %v\n", err)
	}
	if opts.Limit == MaxLimit {
		if want := refView(t, e.reader(), root, opts); !reflect.DeepEqual(res.Entries, want) {
			t.Fatalf("%s: view differs from the brute-force reference:\n got %v\nwant %v", d.Pos, brief(res.Entries), brief(want))
		}
		paged := pageThrough(t, e.reader(), root, opts, 2)
		if !reflect.DeepEqual(paged, res.Entries) {
			t.Fatalf("%s: paging by 2 gives %v, one page %v", d.Pos, brief(paged), brief(res.Entries))
		}
	}
	var b strings.Builder
	for _, en := range res.Entries {
		fmt.Fprintf(&b, "%d %s/%s\n", en.Score, en.Lens, en.Title)
	}
	if res.Next != "" {
		b.WriteString("next\n")
	}
	if len(res.Entries) == 0 {
		b.WriteString("(nothing)\n")
	}
	if showGas {
		fmt.Fprintf(&b, "lenses=%d gas=%d\n", res.Lenses, used)
	}
	return b.String()
}

// pageThrough reads a whole view in pages of size n.
func pageThrough(t *testing.T, k *Keeper, root string, opts ViewOptions, n int) []ViewEntry {
	t.Helper()
	opts.Limit = n
	out := []ViewEntry{}
	for page := 0; ; page++ {
		v, err := k.View(root, opts)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v.Entries...)
		if v.Next == "" {
			return out
		}
		if page > 1000 {
			t.Fatal("paging does not end")
		}
		opts.After = v.Next
	}
}

package app

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/riffchain/riffchain/spec"
)

// msgSpecs are the spec files that document message types: in a table whose
// header is "type" and then not "attributes" (those are events), or in a
// heading naming the type (pools.md, validators.md).
var msgSpecs = []string{"messages.md", "agreements.md", "pools.md", "lenses.md", "validators.md"}

// msgHeading matches a heading that names a message type: "### `pool/add` — …".
var msgHeading = regexp.MustCompile("(?m)^#+ [^`\n]*`([a-z]+/[a-z-]+)`")

// TestSpecMessageTypes: the message types the spec documents are exactly
// the app's routes (Router.Types).
func TestSpecMessageTypes(t *testing.T) {
	documented := map[string]string{}
	for _, f := range msgSpecs {
		tables, err := spec.Tables(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if tb.Header[0] != "type" || len(tb.Header) < 2 || tb.Header[1] == "attributes" {
				continue
			}
			for _, row := range tb.Rows {
				if code := spec.Code(row[0]); len(code) > 0 {
					documented[code[0]] = f
				}
			}
		}
		text, err := spec.Text(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgHeading.FindAllStringSubmatch(text, -1) {
			documented[m[1]] = f
		}
	}
	c := newChain(t, fundedGenesis())
	types := c.app.Router().Types()
	if len(types) < 30 {
		t.Fatalf("only %d message types: %v", len(types), types)
	}
	routed := map[string]bool{}
	for _, typ := range types {
		routed[typ] = true
		if _, ok := documented[typ]; !ok {
			t.Errorf("message type %s is routed but documented in none of %v", typ, msgSpecs)
		}
	}
	var extra []string
	for typ, f := range documented {
		if !routed[typ] {
			extra = append(extra, typ+" ("+f+")")
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("documented message types the app does not route: %s", strings.Join(extra, ", "))
	}
}

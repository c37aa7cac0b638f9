package web

import (
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strings"

	"github.com/riffchain/riffchain/lens"
)

// funcs are the template helpers. Everything they return is text that
// html/template escapes; none returns template.HTML.
var funcs = template.FuncMap{
	"short":    short,
	"time":     timeText,
	"join":     strings.Join,
	"ppm":      ppmText,
	"percent":  func(part, total int64) string { return percentText(part, total) },
	"media":    mediaKind,
	"withW":    withWeight,
	"withQ":    withParam,
	"units":    formatUnits,
	"hasQuery": func(q url.Values, k string) bool { return q.Get(k) != "" },
}

// ppmText writes parts per million as a percentage: 500000 → "50%".
func ppmText(v uint64) string {
	whole, frac := v/10_000, v%10_000
	if frac == 0 {
		return fmt.Sprintf("%d%%", whole)
	}
	s := strings.TrimRight(fmt.Sprintf("%04d", frac), "0")
	return fmt.Sprintf("%d.%s%%", whole, s)
}

func percentText(part, total int64) string {
	if total <= 0 {
		return ""
	}
	return ppmText(uint64(part * 1_000_000 / total))
}

// mediaKind says how a Lens entry plays in the page: "video", "audio",
// "image" or "" (a link only).
func mediaKind(e lens.ViewEntry) string {
	switch e.Kind {
	case "video", "audio", "image":
		return e.Kind
	}
	return ""
}

// withWeight is the address of this Lens view with handle re-weighted to
// ppm (and no page cursor): the link that carries the asker's weights.
func withWeight(q url.Values, handle string, ppm uint32) string {
	return withParam(q, "w."+handle, fmt.Sprint(ppm))
}

// withParam is ?query with k set to v ("" removes it), without the page
// cursor, keys sorted.
func withParam(q url.Values, k, v string) string {
	n := url.Values{}
	for key, vals := range q {
		if key != "after" {
			n[key] = append([]string(nil), vals...)
		}
	}
	if v == "" {
		n.Del(k)
	} else {
		n.Set(k, v)
	}
	keys := make([]string, 0, len(n))
	for key := range n {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "?"
	}
	return "?" + n.Encode()
}

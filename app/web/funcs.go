package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/riffchain/riffchain/app/verify"
	"github.com/riffchain/riffchain/lens"
)

// funcs are the template helpers. Everything they return is text that
// html/template escapes; none returns template.HTML.
var funcs = template.FuncMap{
	"short":        short,
	"time":         timeText,
	"join":         strings.Join,
	"ppm":          func(v any) string { return ppmText(toUint64(v)) },
	"percent":      func(part, total int64) string { return percentText(part, total) },
	"media":        mediaKind,
	"withW":        withWeight,
	"withQ":        withParam,
	"units":        formatUnits,
	"inactiveRole": func() string { return verify.InactiveRole },
	"hasQuery":     func(q url.Values, k string) bool { return q.Get(k) != "" },
}

// toUint64 reads the unsigned integers templates pass (weights are
// uint32, scores uint64); anything else is 0.
func toUint64(v any) uint64 {
	switch x := v.(type) {
	case uint32:
		return uint64(x)
	case uint64:
		return x
	case int:
		if x >= 0 {
			return uint64(x)
		}
	}
	return 0
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
// cursor and empty parameters (a submitted form sends its empty fields).
func withParam(q url.Values, k, v string) string {
	n := url.Values{}
	for key, vals := range q {
		if key != "after" && len(vals) > 0 && vals[0] != "" {
			n[key] = vals[:1]
		}
	}
	if v == "" {
		n.Del(k)
	} else {
		n.Set(k, v)
	}
	if len(n) == 0 {
		return ""
	}
	return "?" + n.Encode() // Encode sorts by key

}

package lens

import (
	"fmt"
	"regexp"
	"sort"
	"unicode/utf8"

	"github.com/ipfs/go-cid"
)

// Limits of the protocol (see spec/lenses.md).
const (
	MaxNameLen       = 64
	MaxTitleLen      = 200
	MaxTags          = 8
	MaxCIDLen        = 256
	MaxFollows       = 1024 // follows per lens
	FullWeight       = 1_000_000
	MaxAnnounce      = 64    // CIDs per seed/announce or seed/withdraw
	MaxForkEntries   = 1000  // entries copied by one fork
	MaxImportEntries = 10000 // entries in one imported manifest
	MaxImportBatch   = 1000  // entries in one lens/import-entries
	MaxImportRoles   = 1024
	MaxImportBlocks  = 10000
	MaxReweights     = 64
)

var (
	handleRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{2,31}$`)
	tagRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
)

// Entry kinds.
var kinds = map[string]bool{
	"video": true, "audio": true, "image": true, "document": true,
	"post": true, "collection": true, "other": true,
}

// ValidHandle reports whether s has the form of a Lens handle:
// ^[a-z0-9][a-z0-9_-]{2,31}$ (3 to 32 characters).
func ValidHandle(s string) bool { return handleRe.MatchString(s) }

// ValidKind reports whether s is an entry kind.
func ValidKind(s string) bool { return kinds[s] }

func checkHandle(s string) error {
	if !ValidHandle(s) {
		return fmt.Errorf("%w: %q", ErrBadHandle, s)
	}
	return nil
}

// CanonicalCID parses an IPFS CID in any multibase form and returns its
// canonical string (CIDv0: base58btc "Qm..."; CIDv1: base32 lower "b...").
// Every CID in state is canonical, so blocks and duplicates cannot be
// dodged by re-encoding.
func CanonicalCID(s string) (string, error) {
	if s == "" || len(s) > MaxCIDLen {
		return "", fmt.Errorf("%w: %q", ErrBadCID, s)
	}
	c, err := cid.Decode(s)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrBadCID, s, err)
	}
	if !c.Defined() {
		return "", fmt.Errorf("%w: %q", ErrBadCID, s)
	}
	return c.String(), nil
}

func checkText(what, s string, max int, required bool) error {
	if required && s == "" {
		return fmt.Errorf("%w: %s is required", ErrBadText, what)
	}
	if len(s) > max {
		return fmt.Errorf("%w: %s is %d bytes, max %d", ErrBadText, what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrBadText, what)
	}
	return nil
}

func checkKind(k string) error {
	if !ValidKind(k) {
		return fmt.Errorf("%w: %q", ErrBadKind, k)
	}
	return nil
}

// canonicalTags checks tags and returns them sorted (nil when empty).
func canonicalTags(tags []string) ([]string, error) {
	if len(tags) > MaxTags {
		return nil, fmt.Errorf("%w: %d tags, max %d", ErrBadTag, len(tags), MaxTags)
	}
	if len(tags) == 0 {
		return nil, nil
	}
	out := make([]string, len(tags))
	copy(out, tags)
	sort.Strings(out)
	for i, t := range out {
		if !tagRe.MatchString(t) {
			return nil, fmt.Errorf("%w: %q", ErrBadTag, t)
		}
		if i > 0 && out[i-1] == t {
			return nil, fmt.Errorf("%w: %q twice", ErrBadTag, t)
		}
	}
	return out, nil
}

func checkWeight(w uint32) error {
	if w == 0 || w > FullWeight {
		return fmt.Errorf("%w: %d", ErrBadWeight, w)
	}
	return nil
}

func hasAnyTag(tags, want []string) bool {
	for _, t := range tags {
		for _, w := range want {
			if t == w {
				return true
			}
		}
	}
	return false
}

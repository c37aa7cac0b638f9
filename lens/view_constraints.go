package lens

import "strings"

// A path constraint is something on a follow path that can hide what is
// reached along it. There are two kinds, each its own type:
//
//   - a blocker (*lensMeta): a Lens on the path, the reached one included,
//     that blocks Lenses or CIDs. The Lenses it blocks are never stepped
//     into further along the path (the walk applies that); the CIDs it
//     blocks are hidden in every entry reached along it (the ranking
//     applies that, one state read per entry and blocker).
//   - a tagScope: a tag-scoped follow on the path. Only entries carrying at
//     least one of its tags are visible along the path.
//
// A path's constraints are a pathConstraints: each kind in its own sorted,
// duplicate-free list, so that one label dominating another is a merge-walk
// subset test per kind.

// tagScope is the scope of a tag-scoped follow, made once per follow record
// when the walk first reads it. Follows store their tags canonical (sorted,
// [a-z0-9_-], no duplicates: canonicalTags), so two follows with the same
// tags have the same key and no two tag sets share one.
type tagScope struct {
	key  string   // tags joined by ","
	tags []string // as stored
}

func newTagScope(tags []string) *tagScope {
	if len(tags) == 0 {
		return nil
	}
	return &tagScope{key: strings.Join(tags, ","), tags: tags}
}

// admits reports whether an entry carrying tags is visible through the scope.
func (s *tagScope) admits(tags []string) bool { return hasAnyTag(tags, s.tags) }

// pathConstraints are the constraints of one path. Labels share them: they
// are never modified, only extended into new lists.
type pathConstraints struct {
	blockers []*lensMeta // Lenses with blocks, by handle ascending
	scopes   []*tagScope // by key ascending
}

func blockerKey(m *lensMeta) string { return m.rec.Handle }
func scopeKey(s *tagScope) string   { return s.key }

// len is the number of constraints (what the walk and the ranking are
// charged per step, spec/gas.md "Loops").
func (c pathConstraints) len() int { return len(c.blockers) + len(c.scopes) }

// extend returns c plus the scope of the follow taken (nil: unscoped) and
// the Lens it reached, when that Lens has blocks. c is not modified; when
// nothing is added the result shares c's lists.
func (c pathConstraints) extend(scope *tagScope, reached *lensMeta) pathConstraints {
	if scope != nil {
		c.scopes = insertSorted(c.scopes, scope, scopeKey)
	}
	if reached.hasBlocks() {
		c.blockers = insertSorted(c.blockers, reached, blockerKey)
	}
	return c
}

// subsetOf reports whether every constraint of c is also one of d's: a path
// with constraints c hides nothing that d's does not.
func (c pathConstraints) subsetOf(d pathConstraints) bool {
	return sortedSubset(c.blockers, d.blockers, blockerKey) && sortedSubset(c.scopes, d.scopes, scopeKey)
}

// blocksLens reports whether a Lens on the path blocks the Lens target.
func (c pathConstraints) blocksLens(target string) bool {
	for _, b := range c.blockers {
		if b.lensBlocks[target] {
			return true
		}
	}
	return false
}

// canHide reports whether the constraints can hide an entry: a tag scope,
// or a Lens on the path that blocks CIDs (Lens blocks were already applied
// while walking).
func (c pathConstraints) canHide() bool {
	if len(c.scopes) > 0 {
		return true
	}
	for _, b := range c.blockers {
		if b.rec.CIDBlocks > 0 {
			return true
		}
	}
	return false
}

// admitsTags reports whether an entry carrying tags passes every tag scope.
func (c pathConstraints) admitsTags(tags []string) bool {
	for _, s := range c.scopes {
		if !s.admits(tags) {
			return false
		}
	}
	return true
}

// sortedSubset reports whether a is a subset of b, both sorted ascending by
// key without duplicates.
func sortedSubset[T any](a, b []T, key func(T) string) bool {
	if len(a) > len(b) {
		return false
	}
	j := 0
	for _, x := range a {
		kx := key(x)
		for j < len(b) && key(b[j]) < kx {
			j++
		}
		if j == len(b) || key(b[j]) != kx {
			return false
		}
		j++
	}
	return true
}

// insertSorted returns a new list: s (sorted ascending by key) with x in
// its place, or s itself when it already holds x's key.
func insertSorted[T any](s []T, x T, key func(T) string) []T {
	kx := key(x)
	i := 0
	for i < len(s) && key(s[i]) < kx {
		i++
	}
	if i < len(s) && key(s[i]) == kx {
		return s
	}
	out := make([]T, 0, len(s)+1)
	out = append(out, s[:i]...)
	out = append(out, x)
	return append(out, s[i:]...)
}

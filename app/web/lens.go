package web

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/riffchain/riffchain/lens"
)

// LensView is the answer of /api/v1/lens/HANDLE: the Lens (owner, roles,
// follows) and one page of the world through it, re-weighted by the
// asker's own weights (?w.OTHER=PPM, 0 removes OTHER) and filtered by
// ?depth=, ?tag=, ?kind=, paged by ?limit= and ?after=. Nothing is written:
// the weights live in the address, so a link shares the same view.
type LensView struct {
	Meta
	lens.InfoAnswer
	View        lens.ViewResult    `json:"view"`
	Weights     []WeightControl    `json:"weights"`
	UnderSeeded []lens.SeedingItem `json:"under_seeded"`
}

// WeightControl is one re-weighting control: a Lens seen through the root
// and the weight it has now (its follow weight, or the asker's override).
type WeightControl struct {
	Lens     string `json:"lens"`
	Weight   uint32 `json:"weight"`
	Followed uint32 `json:"followed"` // the root's own follow weight, 0 if not a direct follow
	Override bool   `json:"override"` // the asker's weight differs from the follow
}

// Lens page limits.
const (
	maxReweights = 32 // w.X parameters one request may carry
	lensSeeding  = 10 // under-seeded entries listed
)

// reweightParam turns ?w.X=PPM parameters into the app's reweight
// argument "X:PPM,..." (sorted, so the same view has one query).
func reweightParam(q url.Values) (string, map[string]uint32, error) {
	var keys []string
	for k := range q {
		if strings.HasPrefix(k, "w.") {
			keys = append(keys, k)
		}
	}
	if len(keys) > maxReweights {
		return "", nil, fmt.Errorf("%w: %d re-weights, at most %d", ErrBadRequest, len(keys), maxReweights)
	}
	sort.Strings(keys)
	w := map[string]uint32{}
	parts := []string{}
	for _, k := range keys {
		h := strings.TrimPrefix(k, "w.")
		if !lens.ValidHandle(h) {
			return "", nil, fmt.Errorf("%w: %s: not a Lens handle", ErrBadRequest, k)
		}
		n, err := strconv.ParseUint(q.Get(k), 10, 32)
		if err != nil || n > 1_000_000 {
			return "", nil, fmt.Errorf("%w: %s=%q, want 0..1000000 ppm", ErrBadRequest, k, q.Get(k))
		}
		w[h] = uint32(n)
		parts = append(parts, h+":"+strconv.FormatUint(n, 10))
	}
	return strings.Join(parts, ","), w, nil
}

func (s *Server) loadLens(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	h := r.PathValue("handle")
	if !lens.ValidHandle(h) {
		return nil, fmt.Errorf("%w: %q is not a Lens handle", ErrBadRequest, h)
	}
	q := r.URL.Query()
	rw, weights, err := reweightParam(q)
	if err != nil {
		return nil, err
	}
	ans, err := rd.query(ctx, "/lens/"+h)
	if err != nil {
		return nil, err
	}
	if !ans.found {
		return nil, fmt.Errorf("%w: Lens %s", ErrNotFound, h)
	}
	v := &LensView{Weights: []WeightControl{}, UnderSeeded: []lens.SeedingItem{}}
	if err := json.Unmarshal(ans.value, &v.InfoAnswer); err != nil {
		return nil, fmt.Errorf("decode lens: %w", err)
	}
	v.Title = "Lens " + h
	vq := url.Values{}
	for _, k := range []string{"depth", "tag", "kind", "after"} {
		if x := q.Get(k); x != "" {
			vq.Set(k, x)
		}
	}
	limit, err := pageLimit(r)
	if err != nil {
		return nil, err
	}
	vq.Set("limit", strconv.Itoa(limit))
	if rw != "" {
		vq.Set("reweight", rw)
	}
	if ans, err = rd.query(ctx, "/view/"+h+"?"+vq.Encode()); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(ans.value, &v.View); err != nil {
		return nil, fmt.Errorf("decode view: %w", err)
	}
	if rd.prove { // the page's verifier checks each entry shown against its record
		for _, e := range v.View.Entries {
			if _, err := rd.query(ctx, "/store/"+hex.EncodeToString(lens.EntryKey(e.Lens, e.Seq))); err != nil {
				return nil, err
			}
		}
	}
	v.Weights = weightControls(h, v.Follows, weights)
	if ans, err = rd.query(ctx, fmt.Sprintf("/seeding/%s?limit=%d", h, lensSeeding)); err != nil {
		return nil, err
	}
	var seed lens.SeedingAnswer
	if err := json.Unmarshal(ans.value, &seed); err != nil {
		return nil, fmt.Errorf("decode seeding: %w", err)
	}
	if seed.Entries != nil {
		v.UnderSeeded = seed.Entries
	}
	cli := "riffchain query view " + h
	if d := q.Get("depth"); d != "" {
		cli += " --depth " + d
	}
	for _, c := range v.Weights {
		if c.Override {
			cli += fmt.Sprintf(" --reweight %s=%d", c.Lens, c.Weight)
		}
	}
	if t := q.Get("tag"); t != "" {
		cli += " --tag " + t
	}
	if k := q.Get("kind"); k != "" {
		cli += " --kind " + k
	}
	v.CLI = []string{cli, "riffchain tx lens follow MY_LENS " + h + " --weight 500000 --from KEY",
		"riffchain tx lens fork MY_COPY --from-view " + h + " --from KEY"}
	return v, nil
}

// weightControls lists the Lenses the asker can re-weight: the root's
// follows and any Lens the request re-weights, each with the weight in
// force for this view.
func weightControls(root string, follows []lens.Follow, override map[string]uint32) []WeightControl {
	out := []WeightControl{}
	seen := map[string]bool{root: true}
	add := func(h string, followed uint32) {
		if seen[h] || len(out) >= maxReweights {
			return
		}
		seen[h] = true
		c := WeightControl{Lens: h, Weight: followed, Followed: followed}
		if w, ok := override[h]; ok {
			c.Weight, c.Override = w, w != followed
		}
		out = append(out, c)
	}
	for _, f := range follows {
		add(f.Target, f.Weight)
	}
	for h := range override { // an override of a Lens no longer in view keeps its control
		if !seen[h] {
			add(h, 0)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Lens < out[j].Lens })
	return out
}

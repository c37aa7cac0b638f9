package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/riffchain/riffchain/contracts/agreements"
)

// AgreementView is the answer of /api/v1/agreement/ID: the stored record
// with its actions in words and, per party, whether it has accepted.
type AgreementView struct {
	Meta
	agreements.Record
	ActionWords []string       `json:"action_words"`
	PartyStates []PartyState   `json:"party_states"`
	Timeline    []TimelineStep `json:"timeline"`
}

// PartyState says whether a party has signed or accepted.
type PartyState struct {
	Address  string `json:"address"`
	Accepted bool   `json:"accepted"`
}

// TimelineStep is one history entry with its time readable.
type TimelineStep struct {
	agreements.HistoryEntry
	When string `json:"when"`
}

func (s *Server) loadAgreement(ctx context.Context, rd *reader, r *http.Request) (view, error) {
	id := strings.ToLower(r.PathValue("id"))
	if !isHex(id, 64) {
		return nil, fmt.Errorf("%w: an agreement id is 64 hex characters", ErrBadRequest)
	}
	ans, err := rd.query(ctx, "/agreement/"+id)
	if err != nil {
		return nil, err
	}
	if !ans.found {
		return nil, fmt.Errorf("%w: agreement %s", ErrNotFound, id)
	}
	v := &AgreementView{ActionWords: []string{}, PartyStates: []PartyState{}, Timeline: []TimelineStep{}}
	if err := json.Unmarshal(ans.value, &v.Record); err != nil {
		return nil, fmt.Errorf("decode agreement: %w", err)
	}
	v.Title = "Agreement " + orWord(v.Body.Title, short(id))
	for _, a := range v.Body.Actions {
		v.ActionWords = append(v.ActionWords, rd.actionWords(ctx, a))
	}
	for _, p := range v.Parties {
		ps := PartyState{Address: p.String()}
		for _, a := range v.AcceptedBy {
			if a == p {
				ps.Accepted = true
			}
		}
		v.PartyStates = append(v.PartyStates, ps)
	}
	for _, h := range v.History {
		st := TimelineStep{HistoryEntry: h}
		if h.Time > 0 {
			st.When = time.Unix(h.Time, 0).UTC().Format("2006-01-02 15:04:05 UTC")
		}
		v.Timeline = append(v.Timeline, st)
	}
	v.CLI = []string{"riffchain query agreement " + id + " --prove"}
	switch v.Status {
	case agreements.StatusProposed:
		v.CLI = append(v.CLI, "riffchain agreement accept "+id+" --from KEY", "riffchain agreement reject "+id+" --from KEY")
	case agreements.StatusSettled, agreements.StatusDisputed:
		for _, o := range v.Obligations {
			if o.State != "fulfilled" {
				v.CLI = append(v.CLI, fmt.Sprintf("riffchain agreement attest %s %d --fulfilled --from KEY", id, o.Index))
			}
		}
	}
	return v, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

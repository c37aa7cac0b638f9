package main

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/app/client"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/ledger"
)

// This file is `riffchain query agreement|agreements`: one agreement's
// record, and the agreements of a party, with their proofs.

// recordOutput turns a stored agreement record into the printed object.
func recordOutput(raw []byte) (map[string]any, error) {
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode agreement: %w", err)
	}
	return withDefaults(out, agreementDefaults()), nil // output_fields.go
}

func qAgreement() *cobra.Command {
	var f queryFlags
	c := &cobra.Command{
		Use:   "agreement ID|FILE",
		Short: "An agreement: status, parties, accepted_by, obligations and their attestations, history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := agreementIDArg(args[0])
			if err != nil {
				return err
			}
			return f.queryPrint("/agreement/"+id, agreements.AgreementKey(id), map[string]any{"id": id}, recordOutput)
		},
	}
	f.register(c, true)
	return c
}

// agreementListKVs decodes a /agreements page and returns the records and
// the key/values its proofs must show. Every record must list party among
// its parties and, when status is set, be in that status: the proven
// record shows that it fits the question.
func agreementListKVs(v []byte, party ledger.Address, status string) ([]map[string]any, string, []app.KV, error) {
	list, err := parseListPage(v, "agreement list")
	if err != nil {
		return nil, "", nil, err
	}
	recs := []map[string]any{}
	var kvs []app.KV
	for _, e := range list.Entries {
		var head struct {
			ID      string           `json:"id"`
			Status  string           `json:"status"`
			Parties []ledger.Address `json:"parties"`
		}
		if err := json.Unmarshal(e, &head); err != nil || head.ID == "" {
			return nil, "", nil, fmt.Errorf("decode agreement list entry: %v", err)
		}
		if !slices.Contains(head.Parties, party) {
			return nil, "", nil, fmt.Errorf("%w: agreement %s does not list %s as a party", client.ErrWrongAnswer, head.ID, party)
		}
		if status != "" && head.Status != status {
			return nil, "", nil, fmt.Errorf("%w: agreement %s is %s, the question asks for %s", client.ErrWrongAnswer, head.ID, head.Status, status)
		}
		rec, err := recordOutput(e)
		if err != nil {
			return nil, "", nil, err
		}
		recs = append(recs, rec)
		kvs = append(kvs, app.KV{Key: agreements.AgreementKey(head.ID), Value: []byte(e)})
	}
	return recs, list.Next, kvs, nil
}

func qAgreements() *cobra.Command {
	var f queryFlags
	var party, status, after string
	var limit int
	c := &cobra.Command{
		Use:   "agreements --party ADDR [--status S]",
		Short: "The agreements an address is a party to, by status then id, paged",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, err := resolveAddress(party)
			if err != nil {
				return err
			}
			q := pageValues(limit, after)
			if status != "" {
				q.Set("status", status)
			}
			var recs []map[string]any
			var next string
			decode := func(v []byte) ([]app.KV, error) {
				var kvs []app.KV
				var err error
				recs, next, kvs, err = agreementListKVs(v, addr, status)
				return kvs, err
			}
			ctx, cancel := ctxTimeout()
			defer cancel()
			a, err := f.queryDecoded(ctx, "/agreements/"+addr.String()+"?"+q.Encode(), decode)
			if err != nil {
				return err
			}
			return a.finish(map[string]any{"party": addr.String(), "status": status,
				"agreements": nonNil(recs), "count": len(recs), "next": next})
		},
	}
	c.Flags().StringVar(&party, "party", "", "party address or key name")
	c.Flags().StringVar(&status, "status", "", "only this status: proposed, settled, lapsed, withdrawn, rejected, completed, disputed")
	c.Flags().StringVar(&after, "after", "", "cursor from a previous page's next")
	c.Flags().IntVar(&limit, "limit", 100, "page size (1..1000)")
	_ = c.MarkFlagRequired("party")
	f.register(c, true)
	return c
}

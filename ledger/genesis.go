package ledger

import "fmt"

// Genesis is the ledger's part of the genesis app state.
type Genesis struct {
	Assets   []Asset   `json:"assets,omitempty"`
	Balances []Holding `json:"balances,omitempty"`
	Items    []Item    `json:"items,omitempty"`
}

// InitGenesis writes the genesis assets and mints the genesis balances and
// items. Asset supplies are computed, never taken from the file.
func (l *Ledger) InitGenesis(g Genesis) error {
	for _, a := range g.Assets {
		if err := l.CreateAsset(a); err != nil {
			return fmt.Errorf("genesis asset %s: %w", a.ID, err)
		}
	}
	for _, h := range g.Balances {
		if err := l.Mint(h.Asset, h.Address, h.Amount); err != nil {
			return fmt.Errorf("genesis balance %s %s: %w", h.Address, h.Asset, err)
		}
	}
	for _, it := range g.Items {
		if err := l.MintItem(it.Asset, it.ID, it.Owner, it.CID); err != nil {
			return fmt.Errorf("genesis item %s/%s: %w", it.Asset, it.ID, err)
		}
	}
	return nil
}

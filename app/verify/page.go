package verify

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	ics23 "github.com/cosmos/ics23/go"
)

// What the explorer's pages ask the verifier (in the browser, through
// cmd/verifywasm): is what this page shows proven at the height it names?

// Light is the answer of /api/v1/light/HEIGHT: the signed header and the
// validator set of that height, protobuf-encoded, base64.
type Light struct {
	ChainID      string `json:"chain_id"`
	Height       int64  `json:"height"`
	SignedHeader string `json:"signed_header"`
	Validators   string `json:"validators"`
}

// Decode returns the protobuf messages of l.
func (l *Light) Decode() (*cmtproto.SignedHeader, *cmtproto.ValidatorSet, error) {
	shb, err := base64.StdEncoding.DecodeString(l.SignedHeader)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: signed_header: %v", ErrHeader, err)
	}
	vb, err := base64.StdEncoding.DecodeString(l.Validators)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: validators: %v", ErrHeader, err)
	}
	var sh cmtproto.SignedHeader
	if err := sh.Unmarshal(shb); err != nil {
		return nil, nil, fmt.Errorf("%w: signed_header: %v", ErrHeader, err)
	}
	var vals cmtproto.ValidatorSet
	if err := vals.Unmarshal(vb); err != nil {
		return nil, nil, fmt.Errorf("%w: validators: %v", ErrHeader, err)
	}
	return &sh, &vals, nil
}

// Request is one page's question to the verifier.
type Request struct {
	ChainID string `json:"chain_id"`
	// Height is the state height the page shows; the header that commits
	// to it is Light (height Height+1).
	Height int64 `json:"height"`
	Light  Light `json:"light"`
	// TrustedValidators, when set, is the hex validators hash the browser
	// pinned for this chain: the header must name it.
	TrustedValidators string `json:"trusted_validators,omitempty"`
	// Proofs are the answer's proofs (?prove=true), as the API gives them.
	Proofs []struct {
		Path   string `json:"path"`
		Height int64  `json:"height"`
		Ops    []struct {
			Type string `json:"type"`
			Key  string `json:"key"`
			Data string `json:"data"`
		} `json:"ops"`
	} `json:"proofs"`
	// Balances are the balances the page shows: state key
	// bal/{address}{asset} holds the base-unit amount.
	Balances []Balance `json:"balances"`
	// Holders are the holders of an asset the page shows: state key
	// hold/{asset}/{address} holds the base-unit amount.
	Holders []Balance `json:"holders"`
	// Agreement is the agreement the page shows: its record (state key
	// agr/a/{id}) must have this status and these parties.
	Agreement *AgreementClaim `json:"agreement,omitempty"`
	// Owner is a unique item's owner the page shows (a Lens's owner is
	// item LENS/{handle}): state key item/{asset}/{item}.
	Owner *OwnerClaim `json:"owner,omitempty"`
	// Asset is an asset definition the page shows: state key asset/{id}.
	Asset *AssetClaim `json:"asset,omitempty"`
	// Pool is a pool record the page shows: state key pool/id/{id}. Its
	// reserves are Balances of the pool's account.
	Pool *PoolClaim `json:"pool,omitempty"`
	// Supplies are assets' supplies the page shows (a pool's share total
	// is its share asset's supply): state key asset/{id}.
	Supplies []SupplyClaim `json:"supplies,omitempty"`
}

// SupplyClaim is an asset's supply a page shows.
type SupplyClaim struct {
	Asset  string `json:"asset"`
	Supply string `json:"supply"`
}

// AssetClaim is what an asset page shows of the definition.
type AssetClaim struct {
	ID       string `json:"id"`
	Issuer   string `json:"issuer"`
	Decimals uint8  `json:"decimals"`
	Supply   string `json:"supply"`
}

// PoolClaim is what a pool page shows of the pool record.
type PoolClaim struct {
	ID         string `json:"id"`
	AssetA     string `json:"asset_a"`
	AssetB     string `json:"asset_b"`
	FeeBps     uint32 `json:"fee_bps"`
	Account    string `json:"account"`
	ShareAsset string `json:"share_asset"`
}

// AgreementClaim is what an agreement page shows of the record.
type AgreementClaim struct {
	ID      string   `json:"id"`
	Status  string   `json:"status"`
	Parties []string `json:"parties"`
}

// OwnerClaim is a unique item and the owner a page shows.
type OwnerClaim struct {
	Asset string `json:"asset"`
	Item  string `json:"item"`
	Owner string `json:"owner"`
}

// Balance is one balance a page shows.
type Balance struct {
	Address string `json:"address"`
	Asset   string `json:"asset"`
	Amount  string `json:"amount"`
}

// Result is the verifier's verdict.
type Result struct {
	Verified          bool   `json:"verified"`
	Error             string `json:"error,omitempty"`
	Height            int64  `json:"height"`
	AppHash           string `json:"app_hash,omitempty"`
	ValidatorsHash    string `json:"validators_hash,omitempty"`
	Claims            int    `json:"claims"`
	HeaderVerified    bool   `json:"header_verified"`
	ValidatorsTrusted bool   `json:"validators_trusted"`
}

// State keys (spec/state.md); TestKeysMatchState holds them to the
// ledger's, agreements' and Lenses' own key functions.

// BalanceKey is the state key of address's balance of asset.
func BalanceKey(address, asset string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append(append([]byte("bal/"), raw...), asset...), nil
}

// HolderKey is the state key of asset's holder address (the mirror of
// its balance).
func HolderKey(asset, address string) ([]byte, error) {
	raw, err := addressBytes(address)
	if err != nil {
		return nil, err
	}
	return append([]byte("hold/"+asset+"/"), raw...), nil
}

// AgreementKey is the state key of an agreement record.
func AgreementKey(id string) []byte { return []byte("agr/a/" + id) }

// AssetKey is the state key of an asset definition.
func AssetKey(id string) []byte { return []byte("asset/" + id) }

// PoolKey is the state key of a pool record.
func PoolKey(id string) []byte { return []byte("pool/id/" + id) }

// ItemKey is the state key of a unique item.
func ItemKey(asset, item string) []byte { return []byte("item/" + asset + "/" + item) }

func addressBytes(address string) ([]byte, error) {
	hrp, data, err := bech32.Decode(address)
	if err != nil || hrp != "riff" {
		return nil, fmt.Errorf("%w: address %q", ErrAnswer, address)
	}
	raw, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil || len(raw) != 20 {
		return nil, fmt.Errorf("%w: address %q", ErrAnswer, address)
	}
	return raw, nil
}

// Check answers a page's request: the header at Height+1 is committed by
// its validator set (the pinned one, when pinned), every claim the page
// shows has a proof at Height, and each proof verifies against the
// header's app hash.
func Check(req *Request) Result {
	res := Result{Height: req.Height, Claims: len(req.Balances) + len(req.Holders)}
	fail := func(err error) Result {
		res.Error = err.Error()
		return res
	}
	sh, vals, err := req.Light.Decode()
	if err != nil {
		return fail(err)
	}
	if sh.Header == nil || sh.Header.Height != req.Height+1 {
		return fail(fmt.Errorf("%w: header is not for height %d", ErrHeader, req.Height+1))
	}
	if err := Commit(req.ChainID, sh, vals); err != nil {
		return fail(err)
	}
	res.HeaderVerified = true
	res.AppHash = hex.EncodeToString(sh.Header.AppHash)
	res.ValidatorsHash = hex.EncodeToString(sh.Header.ValidatorsHash)
	if req.TrustedValidators != "" {
		if req.TrustedValidators != res.ValidatorsHash {
			return fail(fmt.Errorf("%w: validators %s are not the pinned %s", ErrHeader, res.ValidatorsHash, req.TrustedValidators))
		}
		res.ValidatorsTrusted = true
	}
	ops := map[string]ProofOp{}
	for _, p := range req.Proofs {
		if p.Height != req.Height {
			return fail(fmt.Errorf("%w: a proof is at height %d, the page at %d", ErrAnswer, p.Height, req.Height))
		}
		for _, o := range p.Ops {
			k, err := hex.DecodeString(o.Key)
			if err != nil {
				return fail(fmt.Errorf("%w: proof key: %v", ErrProof, err))
			}
			d, err := base64.StdEncoding.DecodeString(o.Data)
			if err != nil {
				return fail(fmt.Errorf("%w: proof data: %v", ErrProof, err))
			}
			ops[string(k)] = ProofOp{Key: k, Data: d}
		}
	}
	var use []ProofOp
	var claims []KV
	claim := func(key, value []byte, what string) error {
		op, ok := ops[string(key)]
		if !ok {
			return fmt.Errorf("%w: no proof for the %s shown", ErrAnswer, what)
		}
		use = append(use, op)
		claims = append(claims, KV{Key: key, Value: value})
		return nil
	}
	for _, b := range req.Balances {
		key, err := BalanceKey(b.Address, b.Asset)
		if err == nil {
			err = claim(key, []byte(b.Amount), b.Asset+" balance")
		}
		if err != nil {
			return fail(err)
		}
	}
	for _, b := range req.Holders {
		key, err := HolderKey(b.Asset, b.Address)
		if err == nil {
			err = claim(key, []byte(b.Amount), "holding of "+b.Address)
		}
		if err != nil {
			return fail(err)
		}
	}
	if a := req.Agreement; a != nil {
		res.Claims++
		key := AgreementKey(a.ID)
		rec, err := provenValue(ops, key, "agreement record")
		if err == nil {
			err = checkAgreement(rec, a)
		}
		if err == nil {
			err = claim(key, rec, "agreement record")
		}
		if err != nil {
			return fail(err)
		}
	}
	if o := req.Owner; o != nil {
		res.Claims++
		key := ItemKey(o.Asset, o.Item)
		rec, err := provenValue(ops, key, "owner")
		if err == nil {
			var it struct {
				Owner string `json:"owner"`
			}
			if json.Unmarshal(rec, &it) != nil || it.Owner != o.Owner {
				err = fmt.Errorf("%w: %s/%s is owned by %s, not %s", ErrAnswer, o.Asset, o.Item, it.Owner, o.Owner)
			}
		}
		if err == nil {
			err = claim(key, rec, "owner")
		}
		if err != nil {
			return fail(err)
		}
	}
	if a := req.Asset; a != nil {
		res.Claims++
		if err := recordClaim(ops, AssetKey(a.ID), "asset definition", a, claim); err != nil {
			return fail(err)
		}
	}
	if p := req.Pool; p != nil {
		res.Claims++
		if err := recordClaim(ops, PoolKey(p.ID), "pool record", p, claim); err != nil {
			return fail(err)
		}
	}
	for _, c := range req.Supplies {
		res.Claims++
		shown := struct {
			Supply string `json:"supply"`
		}{c.Supply}
		if err := recordClaim(ops, AssetKey(c.Asset), c.Asset+" supply", shown, claim); err != nil {
			return fail(err)
		}
	}
	if err := Proofs(sh.Header.AppHash, use, claims); err != nil {
		return fail(err)
	}
	res.Verified = true
	return res
}

// CheckJSON is Check over JSON text (what the browser passes).
func CheckJSON(in string) string {
	var req Request
	var res Result
	if err := json.Unmarshal([]byte(in), &req); err != nil {
		res.Error = fmt.Sprintf("%v: request: %v", ErrAnswer, err)
	} else {
		res = Check(&req)
	}
	b, _ := json.Marshal(res)
	return string(b)
}

// provenValue is the value an existence proof of key carries (what the
// record is if the proof verifies; Proofs checks that it does).
func provenValue(ops map[string]ProofOp, key []byte, what string) ([]byte, error) {
	op, ok := ops[string(key)]
	if !ok {
		return nil, fmt.Errorf("%w: no proof for the %s shown", ErrAnswer, what)
	}
	var p ics23.CommitmentProof
	if err := p.Unmarshal(op.Data); err != nil {
		return nil, fmt.Errorf("%w: decode proof: %v", ErrProof, err)
	}
	ex := p.GetExist()
	if ex == nil || len(ex.Value) == 0 {
		return nil, fmt.Errorf("%w: the %s is not proven to exist", ErrProof, what)
	}
	return ex.Value, nil
}

// checkAgreement compares the proven record with what the page shows.
func checkAgreement(rec []byte, a *AgreementClaim) error {
	var r struct {
		ID      string   `json:"id"`
		Status  string   `json:"status"`
		Parties []string `json:"parties"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		return fmt.Errorf("%w: agreement record: %v", ErrProof, err)
	}
	if r.ID != a.ID || r.Status != a.Status || strings.Join(r.Parties, ",") != strings.Join(a.Parties, ",") {
		return fmt.Errorf("%w: the record says %s %s between %v; the page shows %s %s between %v",
			ErrAnswer, r.ID, r.Status, r.Parties, a.ID, a.Status, a.Parties)
	}
	return nil
}

// recordClaim checks that the proven JSON record at key has the fields the
// page shows (want, a claim struct whose JSON names are the record's), and
// adds it to the claims to prove.
func recordClaim(ops map[string]ProofOp, key []byte, what string, want any, claim func(key, value []byte, what string) error) error {
	rec, err := provenValue(ops, key, what)
	if err != nil {
		return err
	}
	shown, _ := json.Marshal(want)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(shown, &fields); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrAnswer, what, err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(rec, &got); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrProof, what, err)
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if v := fields[name]; string(got[name]) != string(v) {
			return fmt.Errorf("%w: the %s says %s %s; the page shows %s", ErrAnswer, what, name, got[name], v)
		}
	}
	return claim(key, rec, what)
}

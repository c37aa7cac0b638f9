package verify

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/bech32"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
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

// BalanceKey is the state key of address's balance of asset.
func BalanceKey(address, asset string) ([]byte, error) {
	hrp, data, err := bech32.Decode(address)
	if err != nil || hrp != "riff" {
		return nil, fmt.Errorf("%w: address %q", ErrAnswer, address)
	}
	raw, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil || len(raw) != 20 {
		return nil, fmt.Errorf("%w: address %q", ErrAnswer, address)
	}
	return append(append([]byte("bal/"), raw...), asset...), nil
}

// Check answers a page's request: the header at Height+1 is committed by
// its validator set (the pinned one, when pinned), every claim the page
// shows has a proof at Height, and each proof verifies against the
// header's app hash.
func Check(req *Request) Result {
	res := Result{Height: req.Height, Claims: len(req.Balances)}
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
	for _, b := range req.Balances {
		key, err := BalanceKey(b.Address, b.Asset)
		if err != nil {
			return fail(err)
		}
		op, ok := ops[string(key)]
		if !ok {
			return fail(fmt.Errorf("%w: no proof for the %s balance shown", ErrAnswer, b.Asset))
		}
		use = append(use, op)
		claims = append(claims, KV{Key: key, Value: []byte(b.Amount)})
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

package validators

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/riffchain/riffchain/ledger"
)

// Validator is one member of the recorded validator set.
type Validator struct {
	// Address is the consensus address (upper-case hex, as CometBFT shows
	// it): the first 20 bytes of SHA-256 of the public key.
	Address string `json:"address"`
	// Account is the same 20 bytes as a riffchain account (bech32): where
	// the validator's proposer fees go.
	Account ledger.Address `json:"account"`
	PubKey  []byte         `json:"pub_key"` // ed25519, base64 in JSON
	Power   int64          `json:"power"`
}

// Update is one validator update handed to CometBFT: an ed25519 key and
// its new power (0 removes it).
type Update struct {
	PubKey []byte `json:"pub_key"`
	Power  int64  `json:"power"`
}

// AddressOf returns the consensus address of an ed25519 public key.
func AddressOf(pub []byte) ledger.Address {
	return ledger.AddressFromPubKey(ed25519.PublicKey(pub))
}

// HexAddress returns the upper-case hex form CometBFT uses for addr.
func HexAddress(addr ledger.Address) string {
	return strings.ToUpper(hex.EncodeToString(addr[:]))
}

func newValidator(pub []byte, power int64) Validator {
	a := AddressOf(pub)
	return Validator{Address: HexAddress(a), Account: a, PubKey: append([]byte(nil), pub...), Power: power}
}

// Keeper executes the validators module's rules over one branch of state.
type Keeper struct {
	kv      ledger.KV
	events  *ledger.Events
	chainID string
}

// New returns a keeper over l's state and events for chainID.
func New(l *ledger.Ledger, chainID string) *Keeper {
	return &Keeper{kv: l.KV(), events: l.Events(), chainID: chainID}
}

func getJSON(r ledger.Reader, key []byte, v any) (bool, error) {
	raw, err := r.Get(key)
	if err != nil {
		return false, err
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("%w: key %x: %v", ErrCorruptState, key, err)
	}
	return true, nil
}

func setJSON(kv ledger.KV, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: encode: %v", ErrCorruptState, err)
	}
	return kv.Set(key, b)
}

// Validators returns the recorded validator set in address order.
func Validators(r ledger.Reader) ([]Validator, error) {
	var out []Validator
	var derr error
	p := ValidatorsPrefix()
	err := r.Iterate(p, ledger.PrefixEnd(p), func(k, v []byte) bool {
		var val Validator
		if derr = json.Unmarshal(v, &val); derr != nil {
			derr = fmt.Errorf("%w: validator %x: %v", ErrCorruptState, k, derr)
			return false
		}
		out = append(out, val)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, derr
}

// TotalPower returns the sum of the powers in vals.
func TotalPower(vals []Validator) (int64, error) {
	var total int64
	for _, v := range vals {
		if v.Power < 0 || v.Power > MaxTotalVotingPower-total {
			return 0, fmt.Errorf("%w: total power above %d", ErrTotalPowerTooHigh, MaxTotalVotingPower)
		}
		total += v.Power
	}
	return total, nil
}

// Validator returns the recorded validator with address addr, if any.
func (k *Keeper) Validator(addr ledger.Address) (*Validator, error) {
	var v Validator
	ok, err := getJSON(k.kv, ValidatorKey(addr), &v)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}

// InitGenesis records the genesis validator set. Every key must be a
// distinct ed25519 key with power 1..MaxTotalVotingPower and the total must
// not exceed MaxTotalVotingPower. An empty list records nothing.
func (k *Keeper) InitGenesis(updates []Update) error {
	var total int64
	seen := map[string]bool{}
	for i, u := range updates {
		if len(u.PubKey) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: validator %d: key has %d bytes, want an ed25519 key", ErrInvalidGenesis, i, len(u.PubKey))
		}
		if u.Power < 1 || u.Power > MaxTotalVotingPower-total {
			return fmt.Errorf("%w: validator %d: power %d (total at most %d)", ErrInvalidGenesis, i, u.Power, MaxTotalVotingPower)
		}
		if seen[string(u.PubKey)] {
			return fmt.Errorf("%w: validator %d: duplicate key", ErrInvalidGenesis, i)
		}
		seen[string(u.PubKey)] = true
		total += u.Power
		v := newValidator(u.PubKey, u.Power)
		if err := setJSON(k.kv, ValidatorKey(v.Account), v); err != nil {
			return err
		}
	}
	return nil
}

// setPower records pub's new power (0 deletes it) and emits
// "validator_update". It returns the previous power.
func (k *Keeper) setPower(pub []byte, power int64) (int64, error) {
	addr := AddressOf(pub)
	prev, err := k.Validator(addr)
	if err != nil {
		return 0, err
	}
	var before int64
	if prev != nil {
		if !bytes.Equal(prev.PubKey, pub) {
			return 0, fmt.Errorf("%w: address %s recorded with another key", ErrCorruptState, HexAddress(addr))
		}
		before = prev.Power
	}
	if power == 0 {
		err = k.kv.Delete(ValidatorKey(addr))
	} else {
		err = setJSON(k.kv, ValidatorKey(addr), newValidator(pub, power))
	}
	if err != nil {
		return 0, err
	}
	k.events.Emit("validator_update",
		"address", HexAddress(addr),
		"pub_key", b64(pub),
		"power", fmt.Sprint(power),
		"previous_power", fmt.Sprint(before))
	return before, nil
}

// RecordExternal records updates that another part of the app hands to
// CometBFT (so the recorded set stays what CometBFT will use). Keys that
// are not ed25519 are skipped.
func (k *Keeper) RecordExternal(updates []Update) error {
	for _, u := range updates {
		if len(u.PubKey) != ed25519.PublicKeySize || u.Power < 0 {
			continue
		}
		if _, err := k.setPower(u.PubKey, u.Power); err != nil {
			return err
		}
	}
	return nil
}

// TakePending returns the updates that proposals applied in this block
// queued, in address order, and clears the queue. skip lists keys whose
// pending update is superseded (dropped without being returned).
func (k *Keeper) TakePending(skip map[string]bool) ([]Update, error) {
	var out []Update
	var keys [][]byte
	var derr error
	p := []byte(prefixPending)
	err := k.kv.Iterate(p, ledger.PrefixEnd(p), func(key, v []byte) bool {
		var u Update
		if derr = json.Unmarshal(v, &u); derr != nil {
			derr = fmt.Errorf("%w: pending %x: %v", ErrCorruptState, key, derr)
			return false
		}
		keys = append(keys, bytes.Clone(key))
		if !skip[string(u.PubKey)] {
			out = append(out, u)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	for _, key := range keys {
		if err := k.kv.Delete(key); err != nil {
			return nil, err
		}
	}
	return out, nil
}

package main

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/riffchain/riffchain/app"
	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
)

// key is a deterministic account key.
type key struct {
	priv ed25519.PrivateKey
	addr ledger.Address
}

func deriveKey(seed string, i int) key {
	s := sha256.Sum256([]byte(seed + "/" + strconv.Itoa(i)))
	priv := ed25519.NewKeyFromSeed(s[:])
	return key{priv: priv, addr: ledger.AddressFromPubKey(priv.Public().(ed25519.PublicKey))}
}

// accounts are the funded senders, the pool maker, and the next nonce each
// will sign with.
type accounts struct {
	keys   []key
	maker  key
	nonces []uint64 // last used nonce per account; index len(keys) is the maker
}

func newAccounts(seed string, n int) *accounts {
	a := &accounts{keys: make([]key, n), nonces: make([]uint64, n+1)}
	parallel(n, func(i int) { a.keys[i] = deriveKey(seed, i) })
	a.maker = deriveKey(seed, -1)
	return a
}

// parallel runs fn(0..n-1) on all CPUs.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}(w)
	}
	wg.Wait()
}

// txItem is one pre-signed transaction with its pre-encoded JSON-RPC request.
type txItem struct {
	raw  []byte
	hash [32]byte
	req  []byte
}

func newTxItem(raw []byte) txItem {
	var b bytes.Buffer
	b.Grow(len(raw)*4/3 + 96)
	b.WriteString(`{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(raw))
	b.WriteString(`"}}`)
	return txItem{raw: raw, hash: sha256.Sum256(raw), req: b.Bytes()}
}

// workload is a phase's transactions, split into one ordered list per
// client. Within a list an account's txs come in nonce order.
type workload struct {
	name    string
	clients [][]int // indexes into txs
	txs     []txItem
}

func (w *workload) avgBytes() int {
	if len(w.txs) == 0 {
		return 0
	}
	n := 0
	for _, t := range w.txs {
		n += len(t.raw)
	}
	return n / len(w.txs)
}

// slot says which sender signs a tx and with which nonce.
type slot struct {
	acct  int
	nonce uint64
	seq   int // the sender's n-th tx of the phase, from 0
}

// plan spreads count txs over senders (every step-th account starting at
// first), nonce-major, and assigns each sender to client (sender % clients).
// It advances the nonces.
func (a *accounts) plan(count, clients, first, step int) (slots []slot, perClient [][]int) {
	var senders []int
	for i := first; i < len(a.keys); i += step {
		senders = append(senders, i)
	}
	perClient = make([][]int, clients)
	per := count / len(senders)
	extra := count % len(senders)
	for round := 0; len(slots) < count; round++ {
		for si, acct := range senders {
			if round >= per+boolInt(si < extra) {
				continue
			}
			a.nonces[acct]++
			c := si % clients
			perClient[c] = append(perClient[c], len(slots))
			slots = append(slots, slot{acct: acct, nonce: a.nonces[acct], seq: round})
		}
	}
	return slots, perClient
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// txGas is the gas limit the bench declares per message type: about 1.2
// times what one uses (spec/gas.md), so that a block's declared gas, which
// CometBFT and the proposal cap at block.max_gas, is close to its use.
var txGas = map[string]uint64{
	"transfer":         180_000,
	"agreement/submit": 460_000,
	"pool/swap":        400_000,
}

func signBody(chainID string, k key, nonce uint64, msg app.Msg) ([]byte, error) {
	g, ok := txGas[msg.Type]
	if !ok {
		g = 2_000_000
	}
	body, err := app.MarshalBody(app.Body{ChainID: chainID, Signer: k.addr, Nonce: nonce, Msgs: []app.Msg{msg}, Gas: g})
	if err != nil {
		return nil, err
	}
	return app.SignTx(body, k.priv), nil
}

func newMsg(typ string, v any) (app.Msg, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return app.Msg{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	return app.Msg{Type: typ, Value: b}, nil
}

// build signs one tx per slot in parallel with mk.
func build(name string, slots []slot, perClient [][]int, mk func(s slot) ([]byte, error)) (*workload, error) {
	w := &workload{name: name, clients: perClient, txs: make([]txItem, len(slots))}
	errs := make([]error, len(slots))
	parallel(len(slots), func(i int) {
		raw, err := mk(slots[i])
		if err != nil {
			errs[i] = err
			return
		}
		w.txs[i] = newTxItem(raw)
	})
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", name, err)
		}
	}
	return w, nil
}

// transfers: each account sends 1 RIFF to the next account, count txs in all.
func (a *accounts) transfers(chainID string, count, clients int) (*workload, error) {
	slots, perClient := a.plan(count, clients, 0, 1)
	one := ledger.NewAmount(1)
	return build("transfers", slots, perClient, func(s slot) ([]byte, error) {
		to := a.keys[(s.acct+1)%len(a.keys)].addr
		m, err := newMsg("transfer", ledger.MsgTransfer{To: to, Asset: app.NativeAsset, Amount: &one})
		if err != nil {
			return nil, err
		}
		return signBody(chainID, a.keys[s.acct], s.nonce, m)
	})
}

// agreementsDvP: pairs (2i, 2i+1) settle delivery-versus-payment agreements
// (A gives SHR, B pays RIFF), both parties sign offline, A submits what
// `riffchain agreement submit` sends (the file without A's own signature,
// which A's tx signature stands for).
func (a *accounts) agreementsDvP(chainID string, count, clients int) (*workload, error) {
	slots, perClient := a.plan(count, clients, 0, 2)
	return build("agreements", slots, perClient, func(s slot) ([]byte, error) {
		pa, pb := a.keys[s.acct], a.keys[(s.acct+1)%len(a.keys)]
		shares, price := ledger.NewAmount(uint64(1+s.seq%7)), ledger.NewAmount(uint64(100+s.seq))
		f, err := agreements.NewFile(agreements.Body{
			Parties: []ledger.Address{pa.addr, pb.addr},
			Title:   "bench dvp",
			Actions: []agreements.Action{
				{Transfer: &agreements.TransferAction{From: pa.addr, To: pb.addr, Asset: benchAsset, Amount: &shares}},
				{Transfer: &agreements.TransferAction{From: pb.addr, To: pa.addr, Asset: app.NativeAsset, Amount: &price}},
			},
			ExpiresAtHeight: 1 << 40,
			Salt:            strconv.FormatUint(s.nonce, 10),
		}, chainID)
		if err != nil {
			return nil, err
		}
		if err := agreements.Sign(f, pa.priv); err != nil {
			return nil, err
		}
		if err := agreements.Sign(f, pb.priv); err != nil {
			return nil, err
		}
		m, err := newMsg(typeAgreementSubmit, f.ForSubmitter(pa.addr))
		if err != nil {
			return nil, err
		}
		return signBody(chainID, pa, s.nonce, m)
	})
}

// swaps: every account swaps 1000 RIFF for SHR against pool.
func (a *accounts) swaps(chainID, pool string, count, clients int) (*workload, error) {
	slots, perClient := a.plan(count, clients, 0, 1)
	in, minOut := ledger.NewAmount(1000), ledger.NewAmount(1)
	return build("swaps", slots, perClient, func(s slot) ([]byte, error) {
		m, err := newMsg(typePoolSwap, pools.MsgSwap{Path: []string{pool}, AssetIn: app.NativeAsset, AmountIn: &in, MinOut: &minOut})
		if err != nil {
			return nil, err
		}
		return signBody(chainID, a.keys[s.acct], s.nonce, m)
	})
}

// poolCreate is the maker's one tx creating the RIFF/SHR pool.
func (a *accounts) poolCreate(chainID string) (*workload, error) {
	n := len(a.keys)
	a.nonces[n]++
	m, err := newMsg(typePoolCreate, pools.MsgCreate{AssetA: app.NativeAsset, AssetB: benchAsset,
		AmountA: ledger.NewAmount(100_000_000_000_000), AmountB: ledger.NewAmount(100_000_000_000_000), FeeBps: 30})
	if err != nil {
		return nil, err
	}
	raw, err := signBody(chainID, a.maker, a.nonces[n], m)
	if err != nil {
		return nil, err
	}
	return &workload{name: "pool-create", clients: [][]int{{0}}, txs: []txItem{newTxItem(raw)}}, nil
}

// kvstoreLike returns txs for the kvstore app with the same count, sizes
// and client split as w: "bk<index>=<filler>" padded to each tx's length,
// or to size bytes when size > 0.
func kvstoreLike(w *workload, size int) *workload {
	out := &workload{name: "kvstore", clients: w.clients, txs: make([]txItem, len(w.txs))}
	parallel(len(w.txs), func(i int) {
		size := cmp.Or(size, len(w.txs[i].raw))
		tx := []byte("bk" + strconv.Itoa(i) + "=")
		for len(tx) < size {
			tx = append(tx, 'a'+byte(len(tx)%26))
		}
		out.txs[i] = newTxItem(tx)
	})
	return out
}

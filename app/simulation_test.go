package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// The randomized state-machine test (in the style of Cosmos SDK
// simulation): many accounts send random messages of every registered
// type — mostly plausible ones built from what the chain holds, some
// invalid on purpose (bad values, someone else's objects, garbage, a bad
// signature) — block after block. After every block the invariants of
// every module hold, no tx ends in an internal error or uses more gas than
// its limit, and a second chain replaying the same blocks reaches the same
// app hash at every height.
// RIFF_SIM_SEED picks another seed (the default one runs in the normal
// suite in a few seconds).

// simState is what the generator knows about the chain, learnt from tx
// outputs: ids it can refer to.
type simState struct {
	r          *rand.Rand
	keys       []testKey
	assets     []string // fungible asset ids
	uniques    []string // unique asset ids
	items      map[string][]string
	agreements []string
	collective []ledger.Address
	pools      []string
	lenses     []string
	mine       map[ledger.Address][]string // fungible assets each account issued
	myLenses   map[ledger.Address][]string // lenses each account created
	myUniques  map[ledger.Address][]string // unique classes each account issued
	height     int64
	seq        int
}

// ownAsset picks an asset from issued (else any): what mint and
// transfer-issuer need.
func (s *simState) ownAsset(from testKey) string {
	if own := s.mine[from.addr]; len(own) > 0 && s.r.IntN(10) < 9 {
		return own[s.r.IntN(len(own))]
	}
	return pick(s, s.assets, NativeAsset)
}

// lensFor picks a Lens for from to act on: mostly its own.
func (s *simState) lensFor(from testKey) string {
	if own := s.myLenses[from.addr]; len(own) > 0 && s.r.IntN(10) < 8 {
		return own[s.r.IntN(len(own))]
	}
	return pick(s, s.lenses, "none")
}

// assetFor picks a fungible asset for from: mostly one it issued (so it
// holds some), else any.
func (s *simState) assetFor(from testKey) string {
	if s.r.IntN(2) == 0 {
		return NativeAsset // every account holds some
	}
	if own := s.mine[from.addr]; len(own) > 0 && s.r.IntN(10) < 7 {
		return own[s.r.IntN(len(own))]
	}
	return pick(s, s.assets, NativeAsset)
}

func (s *simState) key() testKey { return s.keys[s.r.IntN(len(s.keys))] }

func (s *simState) addr() ledger.Address { return s.key().addr }

func pick[T any](s *simState, list []T, fallback T) T {
	if len(list) == 0 {
		return fallback
	}
	return list[s.r.IntN(len(list))]
}

func (s *simState) amount(max uint64) *ledger.Amount {
	a := ledger.NewAmount(1 + s.r.Uint64N(max))
	return &a
}

func (s *simState) cid() string {
	s.seq++
	return cidOf(fmt.Sprint("sim-", s.seq))
}

func (s *simState) agreementID() string {
	return pick(s, s.agreements, "00000000000000000000000000000000000000000000000000000000000000aa")
}

// simMsg builds one message of type typ signed by from (maybe invalid).
func (s *simState) simMsg(t testing.TB, typ string, from testKey) Msg {
	r := s.r
	asset := s.assetFor(from)
	switch typ {
	case "transfer":
		return mustMsg(t, typ, ledger.Move{To: s.addr(), Asset: asset, Amount: s.amount(2000)})
	case "multi-transfer":
		var moves []ledger.Move
		for i := 0; i < 1+r.IntN(5); i++ {
			moves = append(moves, ledger.Move{To: s.addr(), Asset: asset, Amount: s.amount(500)})
		}
		return mustMsg(t, typ, ledger.MsgMultiTransfer{Moves: moves})
	case "asset/create":
		m := ledger.MsgCreateAsset{Kind: ledger.Fungible, Symbol: "SIM"}
		if r.IntN(3) == 0 {
			m.Kind, m.Symbol = ledger.Unique, "ITEM"
		}
		if r.IntN(2) == 0 {
			m.MaxSupply = s.amount(100_000)
		}
		return mustMsg(t, typ, m)
	case "asset/mint":
		if u := pick(s, s.myUniques[from.addr], ""); u != "" && r.IntN(2) == 0 {
			s.seq++
			to := s.addr()
			return mustMsg(t, typ, ledger.MsgMint{Asset: u, Item: fmt.Sprint("it", s.seq), To: &to})
		}
		return mustMsg(t, typ, ledger.MsgMint{Asset: s.ownAsset(from), Amount: s.amount(50_000)})
	case "asset/burn":
		if u := pick(s, s.uniques, ""); u != "" && r.IntN(2) == 0 {
			return mustMsg(t, typ, ledger.MsgBurn{Asset: u, Item: pick(s, s.items[u], "none")})
		}
		return mustMsg(t, typ, ledger.MsgBurn{Asset: asset, Amount: s.amount(100)})
	case "asset/transfer-issuer":
		return mustMsg(t, typ, ledger.MsgTransferIssuer{Asset: s.ownAsset(from), To: s.addr(), Holdings: r.IntN(2) == 0})
	case agreements.TypePropose, agreements.TypeSubmit:
		other := s.key()
		body := agreements.Body{Parties: []ledger.Address{from.addr, other.addr}, Title: "sim",
			Actions: []agreements.Action{
				{Transfer: &agreements.TransferAction{From: from.addr, To: other.addr, Asset: asset, Amount: s.amount(300)}},
				{Transfer: &agreements.TransferAction{From: other.addr, To: from.addr, Asset: NativeAsset, Amount: s.amount(300)}},
			},
			ExpiresAtHeight: s.height + int64(2+r.IntN(15)), Salt: strconv.Itoa(r.Int())}
		if c := pick(s, s.collective, ledger.Address{}); !c.IsZero() && r.IntN(3) == 0 {
			body.Parties[1] = c
			body.Actions[1].Transfer.From = c
			body.Actions[0].Transfer.To = c
		}
		if r.IntN(3) == 0 {
			body.Obligations = []agreements.Obligation{{By: body.Parties[1], To: from.addr, What: "deliver"}}
		}
		f, err := agreements.NewFile(body, testChain)
		if err != nil { // an invalid body (a party twice): propose it as is
			body.Version, body.ChainID = agreements.Version, testChain
			return mustMsg(t, agreements.TypePropose, agreements.MsgPropose{Body: body})
		}
		if typ == agreements.TypePropose {
			return mustMsg(t, typ, agreements.MsgPropose{Body: f.Body, Escrow: r.IntN(2) == 0})
		}
		for _, k := range []testKey{from, other} {
			if r.IntN(5) > 0 { // sometimes a signature is missing
				_ = agreements.Sign(f, k.priv)
			}
		}
		return mustMsg(t, typ, f)
	case agreements.TypeAccept, agreements.TypeReject:
		var as *ledger.Address
		if c := pick(s, s.collective, ledger.Address{}); !c.IsZero() && r.IntN(2) == 0 {
			as = &c
		}
		if typ == agreements.TypeAccept {
			return mustMsg(t, typ, agreements.MsgAccept{ID: s.agreementID(), As: as})
		}
		return mustMsg(t, typ, agreements.MsgReject{ID: s.agreementID(), As: as})
	case agreements.TypeWithdraw:
		return mustMsg(t, typ, agreements.MsgWithdraw{ID: s.agreementID()})
	case agreements.TypeExecute:
		return mustMsg(t, typ, agreements.MsgExecute{ID: s.agreementID()})
	case agreements.TypeAttest:
		m := agreements.MsgAttest{ID: s.agreementID(), Obligation: uint32(r.IntN(2))}
		if r.IntN(2) == 0 {
			m.Fulfilled = true
		} else {
			m.Disputed = s.cid()
		}
		return mustMsg(t, typ, m)
	case agreements.TypeCreateCollective:
		members := []ledger.Address{from.addr}
		for len(members) < 1+r.IntN(4) {
			if a := s.addr(); !containsAddress(members, a) {
				members = append(members, a)
			}
		}
		return mustMsg(t, typ, agreements.MsgCreateCollective{Members: members, Threshold: uint32(1 + r.IntN(len(members)))})
	case agreements.TypeLeaveCollective:
		return mustMsg(t, typ, agreements.MsgLeaveCollective{Collective: pick(s, s.collective, s.addr())})
	case pools.TypeCreate:
		return mustMsg(t, typ, pools.MsgCreate{AssetA: NativeAsset, AssetB: s.ownAsset(from), AmountA: *s.amount(5000), AmountB: *s.amount(5000),
			FeeBps: []uint32{5, 30, 100, 7}[r.IntN(4)]})
	case pools.TypeAdd:
		return mustMsg(t, typ, pools.MsgAdd{Pool: pick(s, s.pools, "P-1"), AmountA: *s.amount(1000), AmountB: *s.amount(1000)})
	case pools.TypeRemove:
		return mustMsg(t, typ, pools.MsgRemove{Pool: pick(s, s.pools, "P-1"), Shares: *s.amount(500)})
	case pools.TypeSwap:
		return mustMsg(t, typ, pools.MsgSwap{Path: []string{pick(s, s.pools, "P-1")}, AssetIn: pick(s, []string{NativeAsset, asset}, NativeAsset), AmountIn: s.amount(300)})
	case lens.TypeCreate:
		s.seq++
		return mustMsg(t, typ, lens.MsgCreate{Handle: fmt.Sprint("sim", s.seq), Name: "sim"})
	case lens.TypeAddEntry:
		return mustMsg(t, typ, lens.MsgAddEntry{Lens: s.lensFor(from), CID: s.cid(), Kind: "post", Tags: []string{"t" + strconv.Itoa(r.IntN(3))}})
	case lens.TypeEditEntry:
		title := "edited"
		return mustMsg(t, typ, lens.MsgEditEntry{Lens: s.lensFor(from), Seq: uint64(1 + r.IntN(5)), Title: &title})
	case lens.TypeRemoveEntry:
		return mustMsg(t, typ, lens.MsgRemoveEntry{Lens: s.lensFor(from), Seq: uint64(1 + r.IntN(5))})
	case lens.TypeFollow:
		return mustMsg(t, typ, lens.MsgFollow{Lens: s.lensFor(from), Target: pick(s, s.lenses, "none"), Weight: uint32(1 + r.IntN(lens.FullWeight))})
	case lens.TypeUnfollow:
		return mustMsg(t, typ, lens.MsgUnfollow{Lens: s.lensFor(from), Target: pick(s, s.lenses, "none")})
	case lens.TypeBlock, lens.TypeUnblock:
		m := lens.MsgBlock{Lens: s.lensFor(from), Target: pick(s, s.lenses, "none")}
		if typ == lens.TypeBlock {
			return mustMsg(t, typ, m)
		}
		return mustMsg(t, typ, lens.MsgUnblock(m))
	case lens.TypeGrant:
		return mustMsg(t, typ, lens.MsgGrant{Lens: s.lensFor(from), Address: s.addr(), Role: "member"})
	case lens.TypeRevoke:
		return mustMsg(t, typ, lens.MsgRevoke{Lens: s.lensFor(from), Address: s.addr()})
	case lens.TypeFork:
		s.seq++
		return mustMsg(t, typ, lens.MsgFork{Handle: fmt.Sprint("fork", s.seq), Name: "fork", Source: pick(s, s.lenses, "none"), Depth: r.IntN(3)})
	case lens.TypeAnnounce, lens.TypeWithdraw:
		return mustMsg(t, typ, lens.MsgAnnounce{CIDs: []string{s.cid()}})
	}
	// Types without a generator (imports, collective exec, validator
	// changes): a value that decodes as JSON but is not theirs.
	return Msg{Type: typ, Value: json.RawMessage(`{}`)}
}

func containsString(list []string, x string) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func containsAddress(list []ledger.Address, a ledger.Address) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// learn records what a successful tx of from created.
func (s *simState) learn(from ledger.Address, msgs []Msg, res *abci.ExecTxResult) {
	if res.Code != 0 || len(res.Data) == 0 {
		return
	}
	var out map[string]string
	if json.Unmarshal(res.Data, &out) != nil {
		return
	}
	if id := out["asset_id"]; id != "" {
		kind := ""
		for _, m := range msgs {
			if m.Type == "asset/create" {
				var c ledger.MsgCreateAsset
				_ = json.Unmarshal(m.Value, &c)
				kind = string(c.Kind)
			}
		}
		if kind == string(ledger.Unique) {
			s.uniques = append(s.uniques, id)
			if s.myUniques == nil {
				s.myUniques = map[ledger.Address][]string{}
			}
			s.myUniques[from] = append(s.myUniques[from], id)
		} else {
			s.assets = append(s.assets, id)
			if s.mine == nil {
				s.mine = map[ledger.Address][]string{}
			}
			s.mine[from] = append(s.mine[from], id)
		}
	}
	if id := out["agreement_id"]; id != "" {
		s.agreements = append(s.agreements, id)
	}
	if c := out["collective"]; c != "" {
		if a, err := ledger.ParseAddress(c); err == nil && !containsAddress(s.collective, a) {
			s.collective = append(s.collective, a)
		}
	}
	if p := out["pool_id"]; p != "" {
		s.pools = append(s.pools, p)
	}
	for _, m := range msgs {
		if m.Type == lens.TypeCreate || m.Type == lens.TypeFork {
			if l := out["lens"]; l != "" && !containsString(s.lenses, l) {
				s.lenses = append(s.lenses, l)
				if s.myLenses == nil {
					s.myLenses = map[ledger.Address][]string{}
				}
				s.myLenses[from] = append(s.myLenses[from], l)
			}
		}
	}
	for _, m := range msgs {
		if m.Type == "asset/mint" {
			var mm ledger.MsgMint
			if json.Unmarshal(m.Value, &mm) == nil && mm.Item != "" {
				if s.items == nil {
					s.items = map[string][]string{}
				}
				s.items[mm.Asset] = append(s.items[mm.Asset], mm.Item)
			}
		}
	}
}

func TestRandomizedSimulation(t *testing.T) {
	seed := uint64(20261207)
	if v := os.Getenv("RIFF_SIM_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("RIFF_SIM_SEED=%q", v)
		}
		seed = n
	}
	blocks, perBlock := 60, 25
	if testing.Short() || raceEnabled {
		blocks = 20
	}
	s := &simState{r: rand.New(rand.NewPCG(seed, seed^0x5eed))}
	for i := 0; i < 24; i++ {
		s.keys = append(s.keys, newTestKey(fmt.Sprint("sim-", i)))
	}
	gs := fundedGenesis(s.keys...)
	c, replay := newChain(t, gs), newChain(t, gs)
	types := c.app.router.Types()
	sent := map[string]int{}
	var history [][][]byte
	var hashes [][]byte
	for h := 0; h < blocks; h++ {
		var txs [][]byte
		var txMsgs [][]Msg
		var signers []ledger.Address
		for i := 0; i < perBlock; i++ {
			from := s.key()
			var msgs []Msg
			n := 1
			if s.r.IntN(5) == 0 {
				n = 2 + s.r.IntN(2)
			}
			for j := 0; j < n; j++ {
				typ := types[s.r.IntN(len(types))]
				sent[typ]++
				msgs = append(msgs, s.simMsg(t, typ, from))
			}
			tx := c.tx(from, msgs...)
			switch s.r.IntN(40) {
			case 0: // bad signature
				tx[len(tx)-1] ^= 1
			case 1: // garbage
				tx = []byte(fmt.Sprint("garbage ", h, i))
			case 2: // a message value that is not JSON of its type
				msgs[0].Value = json.RawMessage(`{"nope":1}`)
				tx = c.txNonce(from, c.nonces[from.addr], msgs...)
			}
			txs, txMsgs, signers = append(txs, tx), append(txMsgs, msgs), append(signers, from.addr)
		}
		res := c.block(txs...) // checks the ledger invariants
		s.height = c.height
		for i, r := range res.TxResults {
			if r.Code == CodeInternal {
				t.Fatalf("seed %d height %d tx %d: internal error: %s", seed, c.height, i, r.Log)
			}
			if r.GasUsed > r.GasWanted {
				t.Fatalf("seed %d height %d tx %d: gas used %d over its limit %d", seed, c.height, i, r.GasUsed, r.GasWanted)
			}
			s.learn(signers[i], txMsgs[i], r)
		}
		if err := c.app.CheckInvariants(c.app.tree); err != nil {
			t.Fatalf("seed %d height %d: invariants: %v", seed, c.height, err)
		}
		history, hashes = append(history, txs), append(hashes, res.AppHash)
		// Failed auth leaves nonces behind: follow the chain's.
		for _, k := range s.keys {
			acc, err := ledger.New(c.app.tree, nil).Account(k.addr)
			if err != nil {
				t.Fatal(err)
			}
			c.nonces[k.addr] = acc.Nonce
		}
	}
	for _, typ := range types {
		if sent[typ] == 0 {
			t.Errorf("message type %s never sent", typ)
		}
	}
	ok := 0
	for h, txs := range history {
		res := replay.block(txs...)
		if !bytes.Equal(res.AppHash, hashes[h]) {
			t.Fatalf("seed %d: replay diverges at height %d", seed, h+1)
		}
		for _, r := range res.TxResults {
			if r.Code == 0 {
				ok++
			}
		}
	}
	info, _ := replay.app.Info(context.Background(), &abci.RequestInfo{})
	t.Logf("seed %d: %d blocks, %d txs (%d succeeded), %d assets, %d agreements, %d pools, %d lenses, %d collectives; height %d",
		seed, blocks, blocks*perBlock, ok, len(s.assets)+len(s.uniques), len(s.agreements), len(s.pools), len(s.lenses), len(s.collective), info.LastBlockHeight)
}

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// Version is the application's software version reported in Info.
const Version = "0.1.0"

// AppVersion is the protocol version of the state machine.
const AppVersion uint64 = 1

// App is the riffchain ABCI application.
type App struct {
	abci.BaseApplication

	tree    *ledger.Tree
	mods    *assembled // the module list and what New built from it
	router  *Router    // mods.router
	chainID string
	logger  log.Logger

	// Config is the operator's app.toml (zero value in tests: free, no
	// snapshots); Home is the node's home folder ("" in tests).
	Config AppConfig
	Home   string

	// Snapshots serves and restores state-sync snapshots (nil = none).
	Snapshots SnapshotProvider

	mu        sync.Mutex                // guards the fields below
	pending   map[ledger.Address]uint64 // highest nonce admitted to the mempool per signer, without a gap
	held      heldNonces                // nonces admitted ahead of a gap (nonce_window.go)
	cache     *txCache                  // decoded + verified txs that CheckTx admitted, by hash
	checkSnap *ledger.Snapshot          // last committed state, read by CheckTx
	committed map[ledger.Address]uint64 // nonces as of checkSnap (a cache of its acct/ records)
	// blockMaxGas is the consensus parameter block.max_gas (gas.go).
	blockMaxGas int64
	// queryBudgetOverride replaces gas.QueryBudget (tests only; 0 = the
	// protocol's budget).
	queryBudgetOverride uint64
	// noMeter runs messages without the metered store (gas.Store), for the
	// benchmark that prints what metering costs; never set in a node.
	noMeter bool
	// lastBlock is the last finalized block (height and time), what
	// /simulate runs the next block as.
	lastBlock ledger.Block

	// blockNonces are the nonces the current block consumed; touched only on
	// the consensus connection (deliver, Commit).
	blockNonces map[ledger.Address]uint64
	// txBlockEvents are the Block events (ledger.Event.Block) of the
	// current block's successful txs, each tagged with its tx hash; they
	// lead the block's FinalizeBlock events. Consensus connection only.
	txBlockEvents []abci.Event

	pruner pruner // deletes old state versions in the background (pruner.go)

	metrics atomic.Pointer[Metrics] // nil until EnableMetrics (metrics.go)

	// local holds the node-local indexes (local_index.go); blockLocal is
	// the current block's writes to it, committed with the state.
	local      *ledger.LocalStore
	blockLocal *ledger.Branch
}

// New returns the application of modules (Modules() when none are given)
// over tree for chainID, with its local indexes in memory (rebuilt from
// tree if it has state; tests and tools). It panics on an inconsistent
// module list (a programming error; NewWithLocalStore returns it).
func New(tree *ledger.Tree, chainID string, logger log.Logger, modules ...Module) *App {
	ls, _ := ledger.OpenLocalStore("", "local") // in memory: cannot fail
	a, err := NewWithLocalStore(tree, chainID, logger, ls, modules...)
	if a == nil {
		panic(err)
	}
	if err != nil {
		// Only a corrupt tree fails the rebuild; the first block reports it.
		a.logger.Error("local indexes", "err", err)
	}
	return a
}

// NewWithLocalStore returns the application of modules (Modules() when
// none are given) over tree for chainID with ls as its node-local store (a
// node's data/local.db), brought up to the tree's version (rebuilt when it
// lags). The app owns ls: Close closes it. It returns a nil App when the
// module list is inconsistent (two modules claiming a code, a message type
// or a query path).
func NewWithLocalStore(tree *ledger.Tree, chainID string, logger log.Logger, ls *ledger.LocalStore, modules ...Module) (*App, error) {
	if logger == nil {
		logger = log.NewNopLogger()
	}
	if len(modules) == 0 {
		modules = Modules()
	}
	mods, err := assemble(append([]Module{frameCodes()}, modules...))
	if err != nil {
		return nil, err
	}
	a := &App{
		tree:    tree,
		mods:    mods,
		router:  mods.router,
		chainID: chainID,
		logger:  logger,
		pending: map[ledger.Address]uint64{},

		committed:   map[ledger.Address]uint64{},
		blockNonces: map[ledger.Address]uint64{},
		cache:       newTxCache(checkCacheBytes),
	}
	if tree.Version() > 0 {
		a.checkSnap, _ = tree.At(0)
	}
	a.local = ls
	a.blockLocal = ledger.NewBranch(ls)
	return a, a.syncLocal()
}

// ChainID returns the chain id the app serves.
func (a *App) ChainID() string { return a.chainID }

// Router returns the message router (for tests and tools).
func (a *App) Router() *Router { return a.router }

// Info implements abci.Application.
func (a *App) Info(_ context.Context, _ *abci.RequestInfo) (*abci.ResponseInfo, error) {
	v := a.tree.Version()
	var h []byte
	if v > 0 {
		h = a.tree.CommittedHash()
	}
	return &abci.ResponseInfo{
		Data:             "riffchain",
		Version:          Version,
		AppVersion:       AppVersion,
		LastBlockHeight:  v,
		LastBlockAppHash: h,
	}, nil
}

// GenesisState is the app_state of genesis.json.
type GenesisState struct {
	Ledger ledger.Genesis `json:"ledger"`
}

// InitChain implements abci.Application: it writes the genesis state into
// the working tree and returns its hash as the initial app hash.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.chainID {
		return nil, fmt.Errorf("%w: genesis is for %q, app for %q", ErrWrongChainID, req.ChainId, a.chainID)
	}
	if req.InitialHeight > 1 {
		a.tree.SetInitialVersion(uint64(req.InitialHeight))
	}
	if p := req.ConsensusParams; p != nil && p.Block != nil {
		a.SetBlockMaxGas(p.Block.MaxGas)
	}
	var gs GenesisState
	if len(req.AppStateBytes) > 0 {
		if err := StrictUnmarshal(req.AppStateBytes, &gs); err != nil {
			return nil, fmt.Errorf("genesis app_state: %w", err)
		}
	}
	env := &Env{ChainID: a.chainID, Block: ledger.Block{Height: req.InitialHeight, Time: req.Time.Unix()}, Ledger: ledger.New(a.tree, nil), Local: a.blockLocal}
	for _, m := range a.mods.modules {
		if m.Genesis == nil {
			continue
		}
		if err := m.Genesis(env, &gs); err != nil {
			return nil, fmt.Errorf("init genesis: %s: %w", m.Name, err)
		}
	}
	for _, m := range a.mods.modules {
		if m.InitChain == nil {
			continue
		}
		if err := m.InitChain(env, req); err != nil {
			return nil, fmt.Errorf("init chain: %s: %w", m.Name, err)
		}
	}
	if err := a.CheckInvariants(a.tree); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	return &abci.ResponseInitChain{AppHash: a.tree.WorkingHash()}, nil
}

// CheckTx implements abci.Application: cheap stateless checks, signature and
// nonce, without touching block state. Only an admitted tx leaves anything
// behind (its cache entry and nonce); a refused one is dropped whole.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	ct, err := a.checkTx(req.Tx, req.Type == abci.CheckTxType_Recheck)
	if err != nil {
		if ct != nil && req.Type == abci.CheckTxType_Recheck {
			// The mempool drops it: so does the app.
			a.mu.Lock()
			a.cache.remove(ct.hash)
			a.held.remove(ct.tx.Body.Signer, ct.tx.Body.Nonce)
			a.mu.Unlock()
		}
		return &abci.ResponseCheckTx{Code: CodeOf(err), Log: err.Error()}, nil
	}
	return &abci.ResponseCheckTx{Code: CodeOK, GasWanted: int64(ct.tx.Body.Gas)}, nil
}

func (a *App) checkTx(raw []byte, recheck bool) (*checkedTx, error) {
	ct, err := a.prepare(raw, false)
	if err != nil {
		return nil, err
	}
	b := &ct.tx.Body
	stateNonce, snap, err := a.committedNonce(b.Signer)
	if err != nil {
		return ct, err
	}
	if err := a.admit(len(raw), b, snap); err != nil {
		return ct, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if max := a.Config.MaxPendingPerAccount; max > 0 && b.Nonce > stateNonce && b.Nonce-stateNonce > uint64(max) {
		return ct, fmt.Errorf("%w: %s already has %d pending txs (this node admits %d)", ErrMempoolFull, b.Signer, b.Nonce-stateNonce-1, max)
	}
	var height int64
	if snap != nil {
		height = snap.Version
	}
	if err := a.admitNonce(b.Signer, b.Nonce, stateNonce, height, recheck); err != nil {
		return ct, err
	}
	a.cache.put(ct)
	if a.checkSnap == snap { // not stale: no Commit happened meanwhile
		a.rememberNonce(b.Signer, stateNonce)
	}
	return ct, nil
}

// maxNonceCache bounds the committed-nonce cache (entries, about 60 bytes
// each with the map's overhead: 16 MB at most).
const maxNonceCache = 1 << 18

// committedNonce returns signer's nonce in the last committed state and that
// state, from the cache when it can: CheckTx and recheck then need no state
// read or JSON decode for active accounts. It caches nothing itself: CheckTx
// remembers the nonces of the txs it admits (rememberNonce).
func (a *App) committedNonce(signer ledger.Address) (uint64, *ledger.Snapshot, error) {
	a.mu.Lock()
	snap := a.checkSnap
	n, ok := a.committed[signer]
	a.mu.Unlock()
	if ok || snap == nil {
		return n, snap, nil
	}
	acc, err := ledger.New(ledger.ReadOnly(snap), nil).Account(signer)
	if err != nil {
		return 0, snap, err
	}
	return acc.Nonce, snap, nil
}

// rememberNonce caches signer's committed nonce. Caller holds a.mu.
func (a *App) rememberNonce(signer ledger.Address, n uint64) {
	if _, ok := a.committed[signer]; !ok && len(a.committed) >= maxNonceCache {
		a.committed = map[ledger.Address]uint64{}
	}
	a.committed[signer] = n
}

// FinalizeBlock implements abci.Application: executes each tx in its own
// branch, then the end-of-block steps, and returns the working root hash.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	blk := ledger.Block{Height: req.Height, Time: req.Time.Unix()}
	results := make([]*abci.ExecTxResult, len(req.Txs))
	// The proposer's validator address (20 bytes of SHA-256 of its ed25519
	// consensus key) is also the riffchain account of that key: fees go there.
	var proposer ledger.Address
	copy(proposer[:], req.ProposerAddress)
	a.txBlockEvents = nil
	for i, raw := range req.Txs {
		results[i] = a.deliver(blk, proposer, raw)
	}
	a.mu.Lock()
	a.lastBlock = blk
	a.mu.Unlock()
	bc := &BlockContext{Req: req, Results: results}
	events, err := a.endBlock(blk, bc)
	if err != nil {
		return nil, fmt.Errorf("end block %d: %w", req.Height, err)
	}
	resp := &abci.ResponseFinalizeBlock{
		TxResults:        results,
		Events:           append(a.txBlockEvents, events...),
		ValidatorUpdates: bc.ValidatorUpdates,
		AppHash:          a.tree.WorkingHash(),
	}
	if m := a.Metrics(); m != nil {
		m.observeBlock(req, resp)
	}
	return resp, nil
}

// BlockContext is what block hooks see: the request (misbehaviour, proposer,
// votes), the tx results, and the validator updates they may add.
type BlockContext struct {
	Req              *abci.RequestFinalizeBlock
	Results          []*abci.ExecTxResult
	ValidatorUpdates []abci.ValidatorUpdate
}

func (a *App) endBlock(blk ledger.Block, bc *BlockContext) ([]abci.Event, error) {
	ev := &ledger.Events{}
	branch := ledger.NewBranch(a.tree)
	local := ledger.NewBranch(a.blockLocal)
	// The end block's store is metered without a limit (it must not fail
	// half-way): steps that walk a backlog read their meter and stop
	// starting new work at gas.EndBlockBudget (spec/gas.md "End of block").
	env := &Env{ChainID: a.chainID, Block: blk, Ledger: ledger.New(gas.NewStore(branch, gas.NewMeter(^uint64(0))), ev), Local: local}
	for _, m := range a.mods.modules {
		if m.EndBlock == nil {
			continue
		}
		if err := m.EndBlock(env); err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	for _, m := range a.mods.modules {
		if m.FinishBlock == nil {
			continue
		}
		if err := m.FinishBlock(env, bc); err != nil {
			return nil, fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	if err := branch.Write(); err != nil {
		return nil, err
	}
	if err := local.Write(); err != nil {
		return nil, err
	}
	return toABCIEvents(ev.List()), nil
}

func txError(err error) *abci.ExecTxResult {
	return &abci.ExecTxResult{Code: CodeOf(err), Log: err.Error()}
}

// deliver executes one transaction of a block.
func (a *App) deliver(blk ledger.Block, proposer ledger.Address, raw []byte) *abci.ExecTxResult {
	ct, err := a.prepare(raw, true)
	if err != nil {
		return txError(err)
	}
	x := a.execute(a.tree, a.blockLocal, blk, proposer, ct, len(raw))
	if x.nonceUsed {
		a.blockNonces[ct.tx.Body.Signer] = ct.tx.Body.Nonce
	}
	a.txBlockEvents = append(a.txBlockEvents, x.blockEvents...)
	return x.res
}

// executed is the outcome of execute.
type executed struct {
	res         *abci.ExecTxResult
	blockEvents []abci.Event // Block events of a successful tx, tagged with its hash
	nonceUsed   bool         // nonce (and fee) written to state
}

// execute runs a decoded tx against state (and local, the node-local
// indexes) under its gas limit: nonce and fee in one branch, then the
// messages in another, written to state only if every message succeeds
// within the limit. The failed-tx rule (spec/overview.md): a tx that fails
// after paying for its place (its gas limit covers its intrinsic cost, its
// nonce is the next one, its fee is paid) keeps its nonce consumed and its
// fee paid and writes nothing else; a tx that fails before that writes
// nothing at all. Block execution and /simulate share it, so a simulation
// charges exactly what the block will.
func (a *App) execute(state, local ledger.KV, blk ledger.Block, proposer ledger.Address, ct *checkedTx, wireLen int) executed {
	b := &ct.tx.Body
	meter := gas.NewMeter(b.Gas)
	result := func(err error) executed {
		r := txError(err)
		r.GasWanted, r.GasUsed = int64(b.Gas), int64(meter.Used())
		return executed{res: r}
	}
	if err := meter.Consume(intrinsicGas(ct, wireLen), "tx base, bytes and signatures"); err != nil {
		// CheckTx refuses such a tx; one a proposer includes anyway fails
		// without a trace, like a bad nonce.
		return result(err)
	}
	ev := &ledger.Events{}
	// Nonce and fee: written together, or not at all, and whatever the
	// messages do next. Their accesses are charged once written.
	authMeter := gas.NewMeter(^uint64(0))
	auth := ledger.NewBranch(state)
	authKV := gas.NewStore(auth, authMeter)
	if err := ledger.New(authKV, nil).UseNonce(b.Signer, ct.tx.PubKey, b.Nonce); err != nil {
		if CodeOf(err) == CodeInternal {
			err = fmt.Errorf("%w: %v", ErrBadNonce, err)
		}
		return result(err)
	}
	if b.Fee != nil && !b.Fee.Amount.IsZero() {
		if err := ledger.New(authKV, ev).Transfer(b.Signer, proposer, b.Fee.Asset, b.Fee.Amount); err != nil {
			return result(fmt.Errorf("pay fee: %w", err))
		}
	}
	if err := auth.Write(); err != nil {
		return result(err)
	}
	failed := func(err error) executed {
		x := result(err)
		x.nonceUsed = true
		return x
	}
	if err := meter.Consume(authMeter.Used(), "nonce and fee"); err != nil {
		return failed(err)
	}
	branch := ledger.NewBranch(state)
	localBranch := ledger.NewBranch(local)
	var kv ledger.KV = gas.NewStore(branch, meter)
	if a.noMeter {
		kv = branch
	}
	env := &Env{ChainID: a.chainID, Block: blk, Ledger: ledger.New(kv, ev), Local: localBranch}
	out := ledger.Output{}
	for i, m := range ct.msgs {
		typ := b.Msgs[i].Type
		o, err := a.router.execMsg(env, b.Signer, typ, m)
		if err == nil && meter.Exhausted() {
			err = gas.ErrOutOfGas // a step swallowed the meter's error: the tx still ran out
		}
		if err != nil {
			if meter.Exhausted() && !errors.Is(err, gas.ErrOutOfGas) {
				err = fmt.Errorf("%w: %v", gas.ErrOutOfGas, err)
			}
			return failed(fmt.Errorf("msg %d (%s): %w", i, typ, err))
		}
		for k, v := range o {
			out[k] = v
		}
	}
	if err := meter.Consume(eventsGas(ev.List()), "events"); err != nil {
		return failed(err)
	}
	if err := branch.Write(); err != nil {
		return failed(err)
	}
	if err := localBranch.Write(); err != nil {
		return failed(err)
	}
	var data []byte
	if len(out) > 0 {
		data, _ = json.Marshal(out) // map keys are sorted by encoding/json
	}
	events := []abci.Event{{Type: "tx", Attributes: []abci.EventAttribute{
		{Key: "signer", Value: b.Signer.String(), Index: true},
	}}}
	var txHash string
	var blockEvents []abci.Event
	for _, e := range ev.List() {
		if !e.Block {
			events = append(events, toABCIEvent(e))
			continue
		}
		if txHash == "" {
			txHash = fmt.Sprintf("%X", ct.hash) // as CometBFT prints it
		}
		be := toABCIEvent(e)
		be.Attributes = append(be.Attributes, abci.EventAttribute{Key: "tx", Value: txHash, Index: false})
		blockEvents = append(blockEvents, be)
	}
	return executed{
		res:         &abci.ExecTxResult{Code: CodeOK, Data: data, Events: events, GasWanted: int64(b.Gas), GasUsed: int64(meter.Used())},
		blockEvents: blockEvents,
		nonceUsed:   true,
	}
}

// toABCIEvents converts events reported by a block step: all of them go with
// the block, Block or not.
func toABCIEvents(list []ledger.Event) []abci.Event {
	out := make([]abci.Event, 0, len(list))
	for _, e := range list {
		out = append(out, toABCIEvent(e))
	}
	return out
}

func toABCIEvent(e ledger.Event) abci.Event {
	ae := abci.Event{Type: e.Type, Attributes: make([]abci.EventAttribute, 0, len(e.Attrs)+1)}
	for _, at := range e.Attrs {
		ae.Attributes = append(ae.Attributes, abci.EventAttribute{Key: at.Key, Value: at.Value, Index: at.Index})
	}
	return ae
}

// Tree returns the app's state tree (for snapshot and tooling code).
func (a *App) Tree() *ledger.Tree { return a.tree }

// Logger returns the app's logger.
func (a *App) Logger() log.Logger { return a.logger }

// Commit implements abci.Application: saves the working version.
func (a *App) Commit(_ context.Context, _ *abci.RequestCommit) (*abci.ResponseCommit, error) {
	_, version, err := a.tree.Commit()
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	// After the state: a crash in between leaves the local store one
	// version behind, and the restart rebuilds it (syncLocal).
	if err := a.commitLocal(version); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if keep := a.Config.StateKeepRecent; keep > 0 && version > keep {
		// Normally one version per block, in the background; the first
		// prune after enabling it on an old node deletes the whole backlog.
		a.schedulePrune(version - keep)
	}
	snap, err := a.tree.At(0)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	a.mu.Lock()
	a.checkSnap = snap
	a.pending = map[ledger.Address]uint64{}
	for addr, n := range a.blockNonces {
		if _, cached := a.committed[addr]; cached || len(a.committed) < maxNonceCache {
			a.committed[addr] = n
		}
		a.held.prune(addr, n)
	}
	a.held.expire(snap.Version)
	a.mu.Unlock()
	clear(a.blockNonces)
	snapshotAfterCommit(a, snap.Version)
	return &abci.ResponseCommit{RetainHeight: a.retainHeight(version)}, nil
}

// retainHeight is the lowest block height CometBFT must keep after
// committing version (0: keep everything): the newest min_retain_blocks
// blocks, and never past the oldest snapshot kept or being written.
func (a *App) retainHeight(version int64) int64 {
	n := a.Config.MinRetainBlocks
	if n <= 0 || version <= n {
		return 0
	}
	r := version - n + 1
	if s, ok := a.Snapshots.(*SnapshotStore); ok {
		if o := s.OldestHeight(); o > 0 && o < r {
			r = o
		}
	}
	return r
}

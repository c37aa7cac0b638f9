package app

import "sync"

// pruner deletes old state versions (app.toml state_keep_recent) on its own
// goroutine, so Commit returns without waiting for it: IAVL's Prune costs
// about as much as writing a block, and the time between blocks
// (timeout_commit) absorbs it. Targets coalesce: the goroutine always
// prunes to the newest one it was given.
type pruner struct {
	mu      sync.Mutex
	cond    *sync.Cond
	target  int64 // newest "prune up to" height asked for
	done    int64 // highest target finished (or failed)
	running bool
	closed  bool
	wake    chan struct{}
	stopped chan struct{}
}

// schedule asks for every version up to to to be deleted, starting the
// goroutine on first use.
func (a *App) schedulePrune(to int64) {
	p := &a.pruner
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || to <= p.target {
		return
	}
	p.target = to
	if !p.running {
		p.running = true
		p.cond = sync.NewCond(&p.mu)
		p.wake = make(chan struct{}, 1)
		p.stopped = make(chan struct{})
		go a.pruneLoop()
	}
	select {
	case p.wake <- struct{}{}:
	default: // already woken; it will read the newest target
	}
}

func (a *App) pruneLoop() {
	p := &a.pruner
	defer close(p.stopped)
	for range p.wake {
		p.mu.Lock()
		to, closed := p.target, p.closed
		p.mu.Unlock()
		if closed {
			return
		}
		if _, err := a.tree.Prune(to); err != nil {
			a.logger.Error("state pruning failed", "to", to, "err", err) // retried with the next target
		}
		p.mu.Lock()
		p.done = max(p.done, to)
		p.cond.Broadcast()
		p.mu.Unlock()
	}
}

// waitPruned blocks until every scheduled prune has run (tests).
func (a *App) waitPruned() {
	p := &a.pruner
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.running && !p.closed && p.done < p.target {
		p.cond.Wait()
	}
}

// Close stops background work (the pruner), waits for it and closes the
// local store; call it before closing the state tree.
func (a *App) Close() {
	p := &a.pruner
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	running := p.running
	if running {
		close(p.wake)
		p.cond.Broadcast()
	}
	p.mu.Unlock()
	if running {
		<-p.stopped
	}
	if a.local != nil {
		a.local.Close()
	}
}

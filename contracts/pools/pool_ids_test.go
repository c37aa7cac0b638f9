package pools

import (
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/gas"
)

// TestPoolIDsAfterReadsOneKey: a page of every pool costs the same work
// with 10 pools as with a billion (the worst case an attacker could build
// is one key read), and its cursor is checked.
func TestPoolIDsAfterReadsOneKey(t *testing.T) {
	cost := func(count uint64, after string, limit int) ([]string, uint64, error) {
		tree, err := ledger.OpenTree("", "pools")
		if err != nil {
			t.Fatal(err)
		}
		defer tree.Close()
		if err := tree.Set(SeqKey(), []byte(strconv.FormatUint(count, 10))); err != nil {
			t.Fatal(err)
		}
		m := gas.NewMeter(^uint64(0))
		ids, err := New(ledger.New(gas.NewStore(tree, m), nil)).PoolIDsAfter(after, limit)
		return ids, m.Used(), err
	}
	small, smallGas, err := cost(10, "POOL-7", 5)
	if err != nil || !reflect.DeepEqual(small, []string{"POOL-8", "POOL-9", "POOL-10"}) {
		t.Fatalf("after POOL-7 of 10: %v %v", small, err)
	}
	big, bigGas, err := cost(1_000_000_000, "POOL-999999990", 5)
	if err != nil || len(big) != 5 || big[0] != "POOL-999999991" || big[4] != "POOL-999999995" {
		t.Fatalf("after POOL-999999990 of 1e9: %v %v", big, err)
	}
	// The same reads; only the counter's value and the ids are longer.
	if bigGas > smallGas+100 {
		t.Fatalf("a page costs %d gas with 1e9 pools, %d with 10: it must not grow with the number of pools", bigGas, smallGas)
	}
	if first, _, err := cost(3, "", 10); err != nil || !reflect.DeepEqual(first, []string{"POOL-1", "POOL-2", "POOL-3"}) {
		t.Fatalf("first page: %v %v", first, err)
	}
	if none, _, err := cost(0, "", 10); err != nil || len(none) != 0 {
		t.Fatalf("no pools: %v %v", none, err)
	}
	for _, after := range []string{"POOL-11", "POOL-0", "POOL-07", "pool-1", "x"} {
		if _, _, err := cost(10, after, 5); !errors.Is(err, ErrUnknownPool) {
			t.Errorf("after=%q: %v, want ErrUnknownPool", after, err)
		}
	}
}

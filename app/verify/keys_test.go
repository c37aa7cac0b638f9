package verify

import (
	"bytes"
	"testing"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/lens"
)

// TestKeysMatchState: the verifier derives the same state keys as the
// modules that write them.
func TestKeysMatchState(t *testing.T) {
	a := ledger.DeriveAddress("verify-test", []byte{1})
	bal, err := BalanceKey(a.String(), "ACME-1")
	if err != nil || !bytes.Equal(bal, ledger.BalanceKey(a, "ACME-1")) {
		t.Fatalf("balance key %x, ledger %x (%v)", bal, ledger.BalanceKey(a, "ACME-1"), err)
	}
	hold, err := HolderKey("ACME-1", a.String())
	if err != nil || !bytes.Equal(hold, ledger.HolderKey("ACME-1", a)) {
		t.Fatalf("holder key %x, ledger %x (%v)", hold, ledger.HolderKey("ACME-1", a), err)
	}
	id := "3ac059e261d7f3a5098a875165136c38c99da35946d40c1c7e3e410c111fa312"
	if !bytes.Equal(AgreementKey(id), agreements.AgreementKey(id)) {
		t.Fatal("agreement key differs")
	}
	if !bytes.Equal(ItemKey(lens.AssetID, "lens-a"), lens.OwnerKey("lens-a")) || !bytes.Equal(ItemKey("ART-2", "mona"), ledger.ItemKey("ART-2", "mona")) {
		t.Fatal("item key differs")
	}
	if !bytes.Equal(AssetKey("ACME-1"), ledger.AssetKey("ACME-1")) || !bytes.Equal(PoolKey("POOL-1"), pools.PoolKey("POOL-1")) {
		t.Fatal("asset or pool key differs")
	}
	acct, err := AccountKey(a.String())
	if err != nil || !bytes.Equal(acct, ledger.AccountKey(a)) {
		t.Fatalf("account key %x (%v)", acct, err)
	}
	owned, err := OwnedKey(a.String(), lens.AssetID, "lens-a")
	if err != nil || !bytes.Equal(owned, ledger.OwnedKey(a, lens.AssetID, "lens-a")) {
		t.Fatalf("owned key %x (%v)", owned, err)
	}
	b := ledger.DeriveAddress("verify-test", []byte{2})
	role, err := RoleKey("lens-a", a.String())
	if err != nil || !bytes.Equal(role, lens.RoleKey("lens-a", a)) {
		t.Fatalf("role key %x (%v)", role, err)
	}
	coll, err := CollectiveKey(b.String())
	if err != nil || !bytes.Equal(coll, agreements.CollectiveKey(b)) {
		t.Fatalf("collective key %x (%v)", coll, err)
	}
	if LensAsset != lens.AssetID || !bytes.Equal(LensKey("lens-a"), lens.LensKey("lens-a")) ||
		!bytes.Equal(FollowKey("lens-a", "lens-b"), lens.FollowKey("lens-a", "lens-b")) {
		t.Fatal("Lens or follow key differs")
	}
	for _, seq := range []uint64{0, 1, 1 << 40, ^uint64(0)} {
		if !bytes.Equal(EntryKey("lens-a", seq), lens.EntryKey("lens-a", seq)) {
			t.Fatalf("entry key of %d differs", seq)
		}
	}
	if _, err := BalanceKey("cosmos1xyz", "A"); err == nil {
		t.Fatal("a foreign address was accepted")
	}
}

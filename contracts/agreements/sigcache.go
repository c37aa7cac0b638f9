package agreements

import (
	"crypto/sha256"
	"encoding/binary"
	"sync/atomic"

	cmted "github.com/cometbft/cometbft/crypto/ed25519"
)

// sigCache remembers signatures that verified, by SHA-256 of (key,
// signature, message): a submit whose signatures CheckTx already checked
// does not pay for them again in FinalizeBlock. Direct-mapped, bounded and
// lock-free; it only ever stores successes, so a hit means exactly what
// verifying again would say.
var sigCache [8192]atomic.Pointer[[32]byte]

func verifySig(pub, msg, sig []byte) bool {
	h := sha256.New()
	h.Write(pub)
	h.Write(sig)
	h.Write(msg)
	var sum [32]byte
	h.Sum(sum[:0])
	slot := &sigCache[binary.LittleEndian.Uint16(sum[:2])&8191]
	if p := slot.Load(); p != nil && *p == sum {
		return true
	}
	if !cmted.PubKey(pub).VerifySignature(msg, sig) {
		return false
	}
	slot.Store(&sum)
	return true
}

// CheckChain runs every check of a submitted file that needs no state: the
// body is valid for chainID, the id matches, and every signature is
// well-formed, by a party (or for a collective party) and verifies. The app
// runs it in CheckTx, so a file with a bad signature never reaches a block;
// what it verified is cached for the keeper's own check at execution.
func (f *File) CheckChain(chainID string) error {
	f.checked = nil
	ap, err := CheckSignatures(f, chainID, nil)
	if err != nil {
		return err
	}
	f.checked = &checkedFile{chainID: chainID, id: ap.ID}
	return nil
}

// SignatureCount is how many offline signatures the file carries: each is
// verified once, and the app charges gas for each (spec/gas.md).
func (f *File) SignatureCount() int { return len(f.Signatures) }

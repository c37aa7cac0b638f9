package agreements

import (
	cmted "github.com/cometbft/cometbft/crypto/ed25519"
)

// verifySig reports whether sig is pub's ed25519 signature of msg (the
// rules consensus uses). It remembers nothing: a signature is verified
// once per decoded file, by CheckChain, and the app keeps that verdict with
// the transaction it came in (app/checktx_cache.go; spec/security.md
// "Verified once").
func verifySig(pub, msg, sig []byte) bool {
	return cmted.PubKey(pub).VerifySignature(msg, sig)
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

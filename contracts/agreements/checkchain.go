package agreements

// An agreement file's signatures are verified once (spec/tx.md "Verified
// once"; the app's side is app/checked_tx.go).
//
// The app decodes an agreement/submit message and runs CheckChain on it
// when it builds the checked tx of the transaction's bytes (in CheckTx, or
// in FinalizeBlock for a tx it had not cached). CheckChain verifies
// everything that needs no state and records its verdict in the file: the
// chain id it was checked for and the agreement id. The checked tx, file
// included, is never changed afterwards and is what the app executes, so
// ExecSubmit takes the verdict (verdictFor) and skips only the
// cryptographic verification; everything that depends on state — the id
// unused, expiry, each collective's current version, membership and
// threshold — is checked at execution. A file without a verdict for the
// keeper's chain (an agreement inside a collective exec, whose inner
// messages CheckTx decodes but does not chain-check, or a direct caller)
// is checked in full by verdictFor. The public checks (CheckSignatures,
// CheckSubmission, VerifySignatures) never read the verdict.

// chainVerdict is what CheckChain established about a decoded file: for
// chainID, the body is valid, its id is id, and every signature is
// well-formed, by a party (or a member for a collective party) and
// verifies.
type chainVerdict struct{ chainID, id string }

// CheckChain runs every check of a submitted file that needs no state: the
// body is valid for chainID, the id matches, and every signature is
// well-formed, by a party (or for a collective party) and verifies. The app
// runs it in CheckTx, so a file with a bad signature never reaches a block;
// its verdict stays with the file for ExecSubmit.
func (f *File) CheckChain(chainID string) error {
	f.verdict = nil
	ap, err := CheckSignatures(f, chainID, nil)
	if err != nil {
		return err
	}
	f.verdict = &chainVerdict{chainID: chainID, id: ap.ID}
	return nil
}

// verdictFor returns the id of f as CheckChain established it for
// chainID, running CheckChain first when f has no verdict for chainID.
func (f *File) verdictFor(chainID string) (string, error) {
	if v := f.verdict; v != nil && v.chainID == chainID {
		return v.id, nil
	}
	if err := f.CheckChain(chainID); err != nil {
		return "", err
	}
	return f.verdict.id, nil
}

// SignatureCount is how many offline signatures the file carries: each is
// verified once, and the app charges gas for each (spec/gas.md).
func (f *File) SignatureCount() int { return len(f.Signatures) }

package app

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riffchain/riffchain/contracts/agreements"
	"github.com/riffchain/riffchain/contracts/pools"
	"github.com/riffchain/riffchain/contracts/validators"
	"github.com/riffchain/riffchain/ledger"
	"github.com/riffchain/riffchain/ledger/query"
	"github.com/riffchain/riffchain/lens"
	"github.com/riffchain/riffchain/spec"
)

// n formats a number as the spec writes it: 1,000 and 65,536, but 64.
func n[T ~int | ~int64 | ~uint32 | ~uint64](v T) string {
	s := strconv.FormatInt(int64(v), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var spaces = regexp.MustCompile(`\s+`)

// feeTiers is pools.FeeTiers as the spec writes the set: "5, 30, 100".
func feeTiers() string {
	parts := make([]string, len(pools.FeeTiers))
	for i, f := range pools.FeeTiers {
		parts[i] = strconv.FormatUint(uint64(f), 10)
	}
	return strings.Join(parts, ", ")
}

// TestSpecLimits: the limits the spec states in prose are the code's
// constants. Each phrase is written from the constant, so changing either
// side alone fails here. (Limits in tables are tested with their tables:
// TestSpecGasTable, TestByteLengthLimits.)
func TestSpecLimits(t *testing.T) {
	cases := []struct{ file, phrase string }{
		{"tx.md", "at most **" + n(MaxTxBytes) + " bytes** (`MaxTxBytes`)"},
		{"tx.md", "1.." + n(maxMsgs) + " messages"},
		{"tx.md", "default " + n(DefaultNonceWindow) + ", at most " + n(maxNonceWindow)},
		{"tx.md", "At most " + n(maxHeldNonces) + " txs are held node-wide"},
		{"tx.md", "gap is still open `" + n(nonceHoldBlocks) + "` blocks"},
		{"tx.md", "(" + n(checkCacheBytes>>20) + " MiB, a tx counted at 3× its size + " + n(checkCacheOverhead>>10) + " KiB)"},
		{"security.md", n(maxNonceCache) + " accounts"},
		{"security.md", n(maxHeldNonces) + " per node"},
		{"security.md", n(checkCacheBytes>>20) + " MiB estimated (3× tx size + " + n(checkCacheOverhead>>10) + " KiB per tx)"},
		{"security.md", n(MaxTxBytes) + " bytes (protocol)"},
		{"security.md", "default " + n(query.DefaultPageLimit) + ", at most " + n(query.MaxPageLimit)},
		{"security.md", "at most " + n(lens.MaxSeedingScan) + " entries examined per page"},
		{"security.md", "over " + n(lens.MaxImportEntries) + " entries or blocks"},
		{"security.md", n(agreements.MaxHistory) + " steps"},
		{"security.md", "| " + n(agreements.MaxDisputes) + " (then code 143"},
		{"queries.md", "default " + n(query.DefaultPageLimit) + ", at most " + n(query.MaxPageLimit)},
		{"queries.md", "at most " + n(lens.MaxSeedingScan) + " entries per page"},
		{"gas.md", "at most " + n(agreements.MaxLapsesPerBlock) + " per block"},
		{"gas.md", "max_gas = " + n(DefaultBlockMaxGas)},
		{"lenses.md", "1–" + n(lens.MaxNameLen) + " bytes of UTF-8"},
		{"lenses.md", "0–" + n(lens.MaxTitleLen) + " bytes of UTF-8"},
		{"lenses.md", "at most " + n(lens.MaxTags) + ", each"},
		{"lenses.md", "≤ " + n(lens.MaxCIDLen) + " bytes"},
		{"lenses.md", "1.." + n(lens.MaxDepth) + " (`MaxDepth`), 0 = default " + n(lens.DefaultDepth)},
		{"lenses.md", "at most " + n(lens.MaxReweights) + " entries"},
		{"lenses.md", "at most " + n(lens.MaxViewLabels)},
		{"lenses.md", "(default and max " + n(lens.MaxForkEntries) + ")"},
		{"agreements.md", "1–" + n(agreements.MaxChainIDLen) + " printable ASCII bytes"},
		{"agreements.md", "≤ " + n(agreements.MaxTitleLen) + " bytes UTF-8"},
		{"agreements.md", "≤ " + n(agreements.MaxSaltLen) + " bytes; lets identical"},
		{"agreements.md", "`what` 1–" + n(agreements.MaxWhatLen) + " bytes"},
		{"agreements.md", "1–" + n(agreements.MaxMembers) + " distinct members"},
		{"validators.md", "1.." + n(validators.MaxChainIDLen) + " characters"},
		{"validators.md", "≤ " + n(validators.MaxSaltLen) + " characters"},
		{"validators.md", "`MaxEvidenceStored` = " + n(validators.MaxEvidenceStored)},
		{"validators.md", "`MaxEvidencePerValidator` = " + n(validators.MaxEvidencePerValidator)},
		{"validators.md", "1.." + n(validators.MaxChanges) + " entries, applied in order"},
		{"validators.md", "At most " + n(validators.MaxSignatures) + " signatures"},
		{"agreements.md", n(agreements.MinParties) + "–" + n(agreements.MaxParties) + " distinct, non-zero addresses"},
		{"agreements.md", "0–" + n(agreements.MaxActions) + " actions"},
		{"agreements.md", "0–" + n(agreements.MaxObligations) + " off-ledger promises"},
		{"pools.md", "1–" + n(pools.MaxPathLen) + " distinct pool ids"},
		{"pools.md", "up to " + n(pools.MaxPathLen) + " pools"},
		{"pools.md", "⌊√(X·Y)⌋ ≤ " + strconv.Itoa(pools.MinimumLiquidity)},
		{"pools.md", "{" + feeTiers() + "}"},
		{"lenses.md", "(1.." + n(lens.MaxImportBatch) + " manifest entries)"},
		{"lenses.md", "`MsgAnnounce{cids}` (1.." + n(lens.MaxAnnounce) + ")"},
		{"statesync.md", "## Format " + n(SnapshotFormat) + " (the only format)"},
		{"statesync.md", "at least " + n(DefaultSnapshotChunkSize>>20) + " MiB (`DefaultSnapshotChunkSize`)"},
		{"statesync.md", "the " + n(maxChunkFailures) + "th bad copy of one chunk"},
		{"statesync.md", "`MaxImportHeight + 1` (" + n(ledger.MaxImportHeight+1) + ")"},
		{"statesync.md", "in the last " + n(int64(servedGrace/time.Minute)) + " minutes"},
	}
	texts := map[string]string{}
	for _, c := range cases {
		text, ok := texts[c.file]
		if !ok {
			raw, err := spec.Text(c.file)
			if err != nil {
				t.Fatal(err)
			}
			text = spaces.ReplaceAllString(raw, " ")
			texts[c.file] = text
		}
		if !strings.Contains(text, c.phrase) {
			t.Errorf("%s does not say %q: the spec or the constant changed alone", c.file, c.phrase)
		}
	}
}

// failedTxRule is the one sentence every place that states the rule uses
// (spec/overview.md, "Execution of a block"). TestFeePaidToProposer and the
// gas tests (TestOutOfGas…) check the behaviour it describes.
const failedTxRule = "a tx that fails after paying for its place (its gas limit covers its " +
	"intrinsic cost, its nonce is the next one, its fee is paid) keeps its nonce consumed and its " +
	"fee paid and writes nothing else; a tx that fails before that writes nothing at all."

// TestFailedTxRuleSentence: the spec files and the doc comment that state
// the failed-tx rule state it in the same words.
func TestFailedTxRuleSentence(t *testing.T) {
	for _, f := range []string{"overview.md", "tx.md", "gas.md"} {
		text, err := spec.Text(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(spaces.ReplaceAllString(text, " "), failedTxRule[:len(failedTxRule)-1]) {
			t.Errorf("%s does not state the failed-tx rule as overview.md does", f)
		}
		if strings.Contains(strings.ToLower(text), "only the nonce survives") {
			t.Errorf("%s still says only the nonce survives a failed tx", f)
		}
	}
	src, err := os.ReadFile("app.go")
	if err != nil {
		t.Fatal(err)
	}
	comment := spaces.ReplaceAllString(strings.ReplaceAll(string(src), "//", ""), " ")
	if !strings.Contains(comment, failedTxRule) {
		t.Error("app.go's execute comment does not state the failed-tx rule as overview.md does")
	}
}

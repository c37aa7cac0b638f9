// Package lens owns the on-ledger part of Lenses: the Lens registry (handles,
// names, ownership as a unique "LENS" item in the ledger), roles, content
// entries anchored by CID, weighted follows, blocks, seeding announcements,
// view composition ("the world as Lens X sees it"), forks, and the export
// manifest and import of a Lens.
//
// Content itself lives off-ledger (package lens/content). This package knows
// nothing of ABCI or the CLI: the app routes messages to the Exec methods of
// a Keeper built per transaction with New, and serves queries through the
// read methods of a Keeper built over a committed snapshot with NewReader.
//
// Everything here is deterministic: integer arithmetic only (weights and
// scores are parts per million), no clocks, no unordered iteration. The
// protocol is written down in spec/lenses.md.
package lens

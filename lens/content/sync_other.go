//go:build !linux

package content

import "os"

// startWriteback is a no-op where sync_file_range does not exist; the fsync
// at commit does all the work.
func startWriteback(*os.File) {}

// startWritebackRange is a no-op where sync_file_range does not exist.
func startWritebackRange(*os.File, int64, int64) {}

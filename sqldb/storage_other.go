//go:build !(linux || darwin || freebsd)

package sqldb

// freeBytes is unknown here; StorageFull then reports nothing for SQLite.
func freeBytes(string) (uint64, bool) { return 0, false }

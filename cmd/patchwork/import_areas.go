package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"patchwork/importer"
	"patchwork/sqldb"
)

// importAreas runs patchwork import --kind areas on the open file f (named
// path), with cmdImport's exit statuses.
func importAreas(ctx context.Context, db *sqldb.DB, f io.Reader, path string, dry bool, stdout io.Writer) error {
	rep, err := importer.ImportAreas(ctx, db, f, importer.Options{DryRun: dry})
	var fe *importer.FileError
	if errors.As(err, &fe) {
		return &exitCode{2, fmt.Errorf("%s: %s", path, fe.Msg)}
	}
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintln(stdout, importer.AreaSummary(rep, dry))
	if len(rep.Problems) > 0 {
		return &exitCode{1, fmt.Errorf("%d rows have problems", len(rep.Problems))}
	}
	return nil
}

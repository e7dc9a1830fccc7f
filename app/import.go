package app

import (
	"context"
	"errors"
	"io"

	"patchwork"
	"patchwork/importer"
	"patchwork/sqldb"
)

// importAreas runs the area list importer for the admin areas page.
func importAreas(ctx context.Context, db *sqldb.DB, r io.Reader, dryRun bool) (*patchwork.AreaImportResult, error) {
	rep, err := importer.ImportAreas(ctx, db, r, importer.Options{DryRun: dryRun})
	var fe *importer.FileError
	if errors.As(err, &fe) {
		return nil, patchwork.Invalid(map[string]string{"file": "The file cannot be read: " + fe.Msg})
	}
	if err != nil {
		return nil, err
	}
	res := &patchwork.AreaImportResult{DryRun: dryRun, Summary: importer.AreaSummary(rep, dryRun)}
	for _, p := range rep.Problems {
		res.Problems = append(res.Problems, p.String())
	}
	return res, nil
}

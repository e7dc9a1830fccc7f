package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"patchwork"
	"patchwork/importer"
	"patchwork/sqldb"
)

// importAreas runs the area list importer for the admin areas page. A
// real run is an import job, listed on the imports page; it adds the good
// rows of a file that has bad ones, as the page always has (the command
// line's --skip-bad-rows), and reports the bad ones.
func importAreas(ctx context.Context, db *sqldb.DB, r io.ReadSeeker, name string, dryRun bool) (*patchwork.AreaImportResult, error) {
	opt := importer.Options{DryRun: dryRun, SkipBadRows: true, FileName: name}
	rep, err := importer.ImportAreas(ctx, db, r, opt)
	var fe *importer.FileError
	if errors.As(err, &fe) {
		return nil, patchwork.Invalid(map[string]string{"file": "The file cannot be read: " + fe.Msg})
	}
	if err != nil {
		return nil, err
	}
	res := &patchwork.AreaImportResult{DryRun: dryRun, JobID: rep.JobID, Summary: importer.AreaSummary(rep, opt)}
	if rep.Resumed {
		res.Summary = fmt.Sprintf("Resumed import %d, which an earlier upload of this file left unfinished. %s", rep.JobID, res.Summary)
	}
	for _, p := range rep.Problems {
		res.Problems = append(res.Problems, p.String())
	}
	return res, nil
}

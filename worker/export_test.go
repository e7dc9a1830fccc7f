package worker

import (
	"context"

	"patchwork"
)

// RunJob runs one claimed job as a claim loop does, ctx being the loop's
// (cancelled when the worker stops).
func (w *Worker) RunJob(ctx context.Context, j *patchwork.Job) { w.run(ctx, j) }

package sqldb

import (
	"context"
	"errors"

	"patchwork"
)

// auditRequest is one audit row waiting to be appended by the batcher.
type auditRequest struct {
	actor, client  int64
	action, detail string
	meta           patchwork.RequestMeta
	done           chan error
}

// maxAuditBatch bounds how many rows one batch transaction appends.
const maxAuditBatch = 128

// errClosed is returned to audit requests that arrive after Close.
var errClosed = errors.New("sqldb: database closed")

// auditRead appends the audit row of a read-only use case (a client view, a
// search). Those have no change of their own to share a transaction with, so
// rows from concurrent requests are appended together in one transaction
// ("group commit"): on SQLite's single writer that turns many small write
// transactions into a few. It returns only once the row is committed, so
// every view that was shown is on the record.
func (db *DB) auditRead(ctx context.Context, action string, clientID int64, detail string) error {
	var actor int64
	if a := patchwork.CallerFromContext(ctx); a != nil {
		actor = a.ID
	}
	req := auditRequest{actor: actor, client: clientID, action: action, detail: detail,
		meta: patchwork.RequestMetaFromContext(ctx), done: make(chan error, 1)}
	db.auditOnce.Do(db.startAuditBatcher)
	select {
	case db.auditQueue <- req:
	case <-db.auditStop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		// The row may still be written; the caller just stops waiting.
		return ctx.Err()
	}
}

func (db *DB) startAuditBatcher() {
	db.auditQueue = make(chan auditRequest, maxAuditBatch)
	db.auditDone = make(chan struct{})
	go func() {
		defer close(db.auditDone)
		for {
			var first auditRequest
			select {
			case first = <-db.auditQueue:
			case <-db.auditStop:
				return
			}
			batch := []auditRequest{first}
		drain:
			for len(batch) < maxAuditBatch {
				select {
				case r := <-db.auditQueue:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			err := db.inTx(context.Background(), func(tx *Tx) error {
				for _, r := range batch {
					ctx := patchwork.NewContextWithRequestMeta(context.Background(), r.meta)
					if err := tx.auditAs(ctx, r.actor, r.action, r.client, r.detail); err != nil {
						return err
					}
				}
				return nil
			})
			for _, r := range batch {
				r.done <- err
			}
		}
	}()
}

// stopAuditBatcher ends the batcher after the batch in hand. Closing a DB
// twice (a test stopping an instance, then its cleanup) stops it once.
func (db *DB) stopAuditBatcher() {
	select {
	case <-db.auditStop:
		return
	default:
	}
	close(db.auditStop)
	if db.auditDone != nil {
		<-db.auditDone
	}
}

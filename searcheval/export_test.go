package searcheval

import (
	"context"
	"math/rand/v2"

	"patchwork"
	"patchwork/sqldb"
)

// RunDuplicatesWith is RunDuplicates with check in place of the store's
// duplicate check.
func RunDuplicatesWith(ctx context.Context, db *sqldb.DB, opt Options,
	check func(context.Context, *patchwork.Client) ([]*patchwork.ClientMatch, error)) (*DupReport, error) {
	return runDuplicates(ctx, db, opt, check)
}

// Record is a client a generated query or submission stands for.
type Record struct {
	ID                                  int64
	First, Last, DOB, Address, Postcode string
}

// Submission is a generated add-client submission and the record it
// copies (zero for an unrelated new client).
type Submission struct {
	Client   patchwork.Client
	DOBTyped string
	Record   Record
}

func record(t *target) Record {
	if t == nil {
		return Record{}
	}
	return Record{t.id, t.first, t.last, t.dob, t.address, t.postcode}
}

func newEval(db *sqldb.DB) *evaluation {
	ev := &evaluation{db: db, postgres: db.Dialect.Name == "postgres"}
	ev.read, ev.write = db.SQL()
	return ev
}

func maxClientID(ctx context.Context, ev *evaluation) (int64, error) {
	var n int
	_, maxID, err := ev.setup(ctx, &n)
	return maxID, err
}

// MakeQuery writes the search query of kind for a random client.
func MakeQuery(ctx context.Context, db *sqldb.DB, seed uint64, kind string) (string, Record, error) {
	ev := newEval(db)
	maxID, err := maxClientID(ctx, ev)
	if err != nil {
		return "", Record{}, err
	}
	t, err := ev.target(ctx, rand.New(rand.NewPCG(seed, 1)), maxID, kind)
	if err != nil {
		return "", Record{}, err
	}
	return t.text, record(t), nil
}

// MakeDuplicate writes a submission of kind for a random client, or of an
// unrelated new client when unrelated is set.
func MakeDuplicate(ctx context.Context, db *sqldb.DB, seed uint64, kind DupKind, unrelated bool) (*Submission, error) {
	ev := newEval(db)
	maxID, err := maxClientID(ctx, ev)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	var s *submission
	if unrelated {
		s, err = ev.unrelated(ctx, rng, maxID)
	} else {
		s, err = ev.duplicate(ctx, rng, maxID, kind)
	}
	if err != nil {
		return nil, err
	}
	return &Submission{s.client, s.dobTyped, record(s.original)}, nil
}

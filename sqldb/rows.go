package sqldb

import "context"

// Helpers for building statements and reading their rows.

// sqlArgs collects numbered arguments while a statement is built.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + itoa(len(*a))
}

// addAll adds each of vs and returns their placeholders.
func addAll[T any](a *sqlArgs, vs []T) []string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = a.add(v)
	}
	return ph
}

// prefixCond is the SQL condition that col starts with v followed by ASCII
// (the range ends at \x7f), as folded names and words are once accents are
// stripped.
func prefixCond(args *sqlArgs, col, v string) string {
	return col + " >= " + args.add(v) + " AND " + col + " < " + args.add(v+"\x7f")
}

// scanAll reads every row of query with scan.
func scanAll[T any](ctx context.Context, q querier, query string, scan func(interface{ Scan(...any) error }) (T, error),
	args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// queryColumn runs a query of one column and returns its values.
func queryColumn[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	return scanAll(ctx, q, query, func(sc interface{ Scan(...any) error }) (v T, err error) {
		err = sc.Scan(&v)
		return v, err
	}, args...)
}

func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	return queryColumn[int64](ctx, q, query, args...)
}

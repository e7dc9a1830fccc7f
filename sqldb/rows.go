package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"patchwork"
	"patchwork/match"
)

// Helpers for building statements and reading their rows.

// sqlArgs collects numbered arguments while a statement is built.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + itoa(len(*a))
}

func itoa(i int) string { return strconv.Itoa(i) }

// likeEscaper escapes LIKE's wildcards (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// contains adds the condition that col holds s, taken literally (its %
// and _ escaped, likeEscaper).
func (a *sqlArgs) contains(col, s string) string {
	return col + ` LIKE ` + a.add("%"+likeEscaper.Replace(s)+"%") + ` ESCAPE '\'`
}

// nameContains adds the condition that the folded name in col
// (match.Fold, as name_norm holds it) holds the words of q. A q of
// punctuation alone folds to nothing, which would match every name: it
// matches none.
func (a *sqlArgs) nameContains(col, q string) string {
	folded := match.Fold(q)
	if folded == "" {
		return "1 = 0"
	}
	return a.contains(col, folded)
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

// streamRows calls fn with each row of query as it is read, so an export
// of a list of any length holds one row at a time. fn must not use the
// database: the rows hold a connection of the read pool until they end.
func streamRows[T any](ctx context.Context, q querier, query string, scan func(interface{ Scan(...any) error }) (T, error),
	fn func(T) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// limitClause is " LIMIT n" with n written into the SQL. A LIMIT is never
// a bound parameter: SQLite plans with a bound LIMIT's value, so binding
// it again (every run, whatever its value) makes the statement be parsed
// and planned anew, at several times the cost of running it.
func limitClause(n int) string { return ` LIMIT ` + itoa(n) }

// pageClause is the LIMIT and OFFSET of page (counting from 1) of an admin
// list, patchwork.AdminPageSize rows a page.
func pageClause(page int) string {
	per := patchwork.AdminPageSize
	return limitClause(per) + ` OFFSET ` + itoa((max(page, 1)-1)*per)
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

// queryPairs runs a query of two integer columns (ids, mostly) and returns
// each row's pair.
func queryPairs(ctx context.Context, q querier, query string, args ...any) ([][2]int64, error) {
	return scanAll(ctx, q, query, func(sc interface{ Scan(...any) error }) (p [2]int64, err error) {
		err = sc.Scan(&p[0], &p[1])
		return p, err
	}, args...)
}

// insertRows inserts rows into table in multi-row statements; suffix ends
// each statement (an ON CONFLICT clause, or ""). A long run of full
// statements reuses one prepared on the transaction's own connection.
func (tx *Tx) insertRows(ctx context.Context, table string, cols []string, rows [][]any, suffix string) error {
	per := min(500, 30000/len(cols))
	// On SQLite the values are plain "?" placeholders: for each numbered
	// one ("$7") the driver looks its name up in the statement's list of
	// names, so binding a statement of 1,500 values took time square in
	// their number (40 % of a client import's CPU).
	sqliteRow := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	statement := func(n int) string {
		vals := make([]string, n)
		for i := range vals {
			if tx.db.pool == nil {
				vals[i] = sqliteRow
			} else {
				vals[i] = "(" + placeholders(i*len(cols)+1, len(cols)) + ")"
			}
		}
		return `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.Join(vals, ", ") + suffix
	}
	var full *sql.Stmt
	if len(rows) > per {
		st, err := tx.Tx.PrepareContext(ctx, statement(per))
		if err != nil {
			return err
		}
		defer st.Close()
		full = st
	}
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), per)]
		rows = rows[len(chunk):]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		var err error
		if len(chunk) == per && full != nil {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, statement(len(chunk)), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

package sqldb_test

import (
	"context"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestAuthenticate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Ann Auth", w.Council, w.LocalA)
		svc := sqldb.NewAgentService(db)
		from := func(ip string) context.Context {
			return patchwork.NewContextWithRequestMeta(context.Background(), patchwork.RequestMeta{IP: ip})
		}
		got, err := svc.Authenticate(from("10.0.0.1"), "  "+a.Email+" ", sqldbtest.Password)
		if err != nil || got.ID != a.ID {
			t.Fatalf("good sign-in: %v", err)
		}
		for _, tc := range []struct{ name, email, pw string }{
			{"wrong password", a.Email, "nope nope nope"},
			{"unknown email", "ghost@ashford.test", sqldbtest.Password},
		} {
			if _, err := svc.Authenticate(from("10.0.0.1"), tc.email, tc.pw); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		// Five failures lock the account for the window, from any address.
		for i := 0; i < 4; i++ {
			svc.Authenticate(from("10.0.0.2"), a.Email, "wrong")
		}
		if _, err := svc.Authenticate(from("10.0.0.9"), a.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Fatalf("locked account: %v", err)
		}
		// After the window it opens again.
		db.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		if _, err := svc.Authenticate(from("10.0.0.9"), a.Email, sqldbtest.Password); err != nil {
			t.Fatalf("after window: %v", err)
		}
		// The demo password works only in demo mode on a demo database.
		if err := svc.CreateAgent(sqldbtest.System(), &patchwork.Agent{Email: "d@ashford.test", Name: "D", AgencyID: w.Council.ID}, "demo"); patchwork.ErrorCode(err) != patchwork.EINVALID {
			t.Fatalf("short password accepted: %v", err)
		}
		// A deactivated agent cannot sign in, with the same answer.
		if err := svc.DeactivateAgent(sqldbtest.System(), a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(from("10.0.0.3"), a.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("deactivated: %v", err)
		}
		if _, err := svc.FindCaller(context.Background(), a.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("deactivated caller: %v", err)
		}
	})
}

func TestMigrateConcurrently(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		// db is already migrated; several more runs at once change nothing.
		errs := make(chan error, 3)
		for i := 0; i < 3; i++ {
			go func() { errs <- db.Migrate(context.Background()) }()
		}
		for i := 0; i < 3; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		var n, distinct int
		if err := db.QueryRowForTest(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
			t.Fatal(err)
		}
		if n != distinct || n == 0 {
			t.Fatalf("schema_migrations has %d rows for %d versions", n, distinct)
		}
	})
}

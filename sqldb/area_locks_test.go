package sqldb_test

import (
	"fmt"
	"sync"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestConcurrentAreaWrites: writes that change the clients of several
// areas at once never deadlock each other (each change to client_areas
// locks the areas it changes on PostgreSQL, migration 032): new clients in
// both areas, chosen in either order, and clients moved between the two
// areas in opposite directions at the same time, on both databases. Every
// write succeeds and every client ends where it was put.
func TestConcurrentAreaWrites(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		admin := w.MustSystemAdmin(t, "Sid System", w.Council)
		const writers, each = 6, 4
		var agents []*patchwork.Agent
		for i := range writers {
			agents = append(agents, w.MustAgent(t, fmt.Sprintf("Writer %d", i), w.Council, w.LocalA, w.LocalB))
		}
		clients := make([][]*patchwork.Client, writers)
		var wg sync.WaitGroup
		errs := make(chan error, writers*each*2)
		for i, a := range agents {
			wg.Add(1)
			go func() {
				defer wg.Done()
				order := []int64{w.LocalA.ID, w.LocalB.ID}
				if i%2 == 1 {
					order = []int64{w.LocalB.ID, w.LocalA.ID}
				}
				for j := range each {
					c := &patchwork.Client{FirstName: "Concurrent", LastName: fmt.Sprintf("Client%c%c", 'a'+i, 'a'+j),
						DateOfBirth: "01/01/2012", AreaIDs: order}
					if err := sqldb.NewClientService(db).CreateClient(sqldbtest.As(a), c); err != nil {
						errs <- fmt.Errorf("writer %d creating a client: %w", i, err)
						return
					}
					clients[i] = append(clients[i], c)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}

		// Even writers' clients go to Ashford, odd writers' to Bexley: a
		// move takes the client out of one area and into the other, half
		// of them each way, at the same time.
		areas := sqldb.NewAreaService(db)
		errs = make(chan error, writers*each)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := w.LocalA.ID
				if i%2 == 1 {
					to = w.LocalB.ID
				}
				// There, back across and there again, so that each move
				// crosses the other writers' moves the other way.
				back := w.LocalA.ID + w.LocalB.ID - to
				for _, c := range clients[i] {
					for n, dest := range []int64{to, back, to} {
						if err := areas.MoveClient(sqldbtest.As(admin), c.ID, dest); err != nil {
							errs <- fmt.Errorf("writer %d, move %d of client %d: %w", i, n+1, c.ID, err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i := range writers {
			want := w.LocalA.ID
			if i%2 == 1 {
				want = w.LocalB.ID
			}
			for _, c := range clients[i] {
				var n, in int
				if err := db.QueryRowForTest(`SELECT COUNT(*), COUNT(*) FILTER (WHERE area_id = $2) FROM client_areas WHERE client_id = $1`,
					c.ID, want).Scan(&n, &in); err != nil {
					t.Fatal(err)
				}
				if n != 1 || in != 1 {
					t.Errorf("client %d is in %d areas (%d of them the one it was moved to), want just that one", c.ID, n, in)
				}
			}
		}
	})
}

package sqldb

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// joinTicketTTL is how long a "Join team" link from a search result works.
const joinTicketTTL = 2 * time.Hour

// secret returns the deployment's signing secret, creating it on first use.
// It lives in the database so that every instance shares it.
func (db *DB) secret(ctx context.Context) ([]byte, error) {
	db.secretMu.Lock()
	defer db.secretMu.Unlock()
	if db.secretKey != nil {
		return db.secretKey, nil
	}
	v, err := db.Setting(ctx, "secret")
	if err != nil {
		return nil, err
	}
	if v == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING`,
				hex.EncodeToString(b))
			return err
		})
		if err != nil {
			return nil, err
		}
		// Another instance may have won the race: read back what is stored.
		if v, err = db.Setting(ctx, "secret"); err != nil {
			return nil, err
		}
	}
	key, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("sqldb: bad secret setting: %w", err)
	}
	db.secretKey = key
	return key, nil
}

// Secret returns the deployment's signing secret (see secret).
func (db *DB) Secret(ctx context.Context) ([]byte, error) { return db.secret(ctx) }

func ticketMAC(key []byte, purpose string, agentID, clientID, expiry int64, nonce string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s|%d|%d|%d|%s", purpose, agentID, clientID, expiry, nonce)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// joinTicket signs "this agent was shown this client in a search result":
// expiry.nonce.mac. Only with it does the join page show who the client
// is, and only with it can the agent join, so nobody can harvest clients
// by walking ids. The random nonce makes every ticket different, so a
// ticket spent on a join (see team_joins) is never the same as the one a
// later search hands out.
func (db *DB) joinTicket(ctx context.Context, agentID, clientID int64) (string, error) {
	key, err := db.secret(ctx)
	if err != nil {
		return "", err
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	nonce := hex.EncodeToString(b)
	exp := db.now().Add(joinTicketTTL).Unix()
	return strconv.FormatInt(exp, 10) + "." + nonce + "." + ticketMAC(key, "join", agentID, clientID, exp, nonce), nil
}

// checkJoinTicket reports whether ticket is a live join ticket for agentID
// and clientID (whether it has been spent is for the caller to check).
func (db *DB) checkJoinTicket(ctx context.Context, ticket string, agentID, clientID int64) bool {
	expS, rest, ok := strings.Cut(ticket, ".")
	nonce, mac, ok2 := strings.Cut(rest, ".")
	exp, err := strconv.ParseInt(expS, 10, 64)
	if !ok || !ok2 || err != nil || db.now().Unix() > exp {
		return false
	}
	key, err := db.secret(ctx)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(ticketMAC(key, "join", agentID, clientID, exp, nonce)))
}

// IssueJoinTicket returns a join ticket for agentID and clientID, as a
// search result would carry. It is for code that acts for the deployment
// itself, such as seeding the demo network; requests never reach it, since
// the web layer sees only the service interfaces.
func (db *DB) IssueJoinTicket(ctx context.Context, agentID, clientID int64) (string, error) {
	return db.joinTicket(ctx, agentID, clientID)
}

// spentJoinTicket reports whether ticket has already been used to join.
func spentJoinTicket(ctx context.Context, q querier, ticket string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM team_joins WHERE ticket = $1`, ticket).Scan(&n)
	return n > 0, err
}

// FindJoinCard returns what a search result showed about a client, for the
// join page. It needs the ticket that came with that search result, and
// returns ENOTFOUND without it or, unless the caller is a member, once the
// ticket has been used to join.
// The view is audited.
func (s *ClientService) FindJoinCard(ctx context.Context, clientID int64, ticket string) (*patchwork.ClientMatch, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !s.db.checkJoinTicket(ctx, ticket, c.ID, clientID) {
		return nil, patchwork.ErrNotFound
	}
	ms, err := s.db.describeMatches(ctx, c, []*patchwork.ClientMatch{{ID: clientID}})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, patchwork.ErrNotFound
	}
	// A member coming back to the join page is sent on to the client; only
	// for anyone else does a spent ticket count as none.
	if !ms[0].IsMember {
		if spent, err := spentJoinTicket(ctx, s.db.read, ticket); err != nil {
			return nil, err
		} else if spent {
			return nil, patchwork.ErrNotFound
		}
	}
	err = s.db.inTx(ctx, func(tx *Tx) error { return tx.audit(ctx, patchwork.AuditJoinView, clientID, "") })
	return ms[0], err
}

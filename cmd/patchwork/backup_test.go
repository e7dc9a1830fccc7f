package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestBackupAndRestore backs up a SQLite database while it serves and
// writes, then "restores" the copy: it passes audit verify with the copied
// key, starts, and holds the data.
func TestBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "live.db")
	site := startServe(t, []string{"--demo", "--addr", "127.0.0.1:0", "--db", dbPath}, "Patchwork is running")[0]
	// Writes keep landing in the audit log while the copy is taken.
	stop := make(chan struct{})
	writing := make(chan struct{})
	go func() {
		defer close(writing)
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := http.PostForm(site+"/login", url.Values{"email": {"agent2@patchwork.test"}, "password": {"demo"}})
			if err != nil {
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}()
	out := filepath.Join(dir, "backup", "copy.db")
	if err := os.Mkdir(filepath.Dir(out), 0o700); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"backup", "--db", dbPath, "--out", out}, &stdout, io.Discard)
	close(stop)
	<-writing
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "Audit key copied to "+out+".audit-key") {
		t.Errorf("backup output:\n%s", stdout.String())
	}
	if fi, err := os.Stat(out + ".audit-key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("copied key: %v %v", fi, err)
	}
	if err := run(context.Background(), []string{"backup", "--db", dbPath, "--out", out}, io.Discard, io.Discard); err == nil {
		t.Error("backup overwrote an existing file")
	}

	stdout.Reset()
	if err := run(context.Background(), []string{"audit", "verify", "--db", out}, &stdout, io.Discard); err != nil {
		t.Fatalf("restored copy fails audit verify: %v\n%s", err, stdout.String())
	}
	db, err := sqldb.Open(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents`); n < 38 {
		t.Errorf("restored copy holds %d agents, want the demo's 38", n)
	}
	restored := startServe(t, []string{"--demo", "--addr", "127.0.0.1:0", "--db", out}, "Patchwork is running")[0]
	res, err := http.Get(restored + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
}

func TestBackupRefusesPostgres(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	err := run(context.Background(), []string{"backup", "--db", sqldbtest.PostgresDSN(), "--audit-key-file", filepath.Join(t.TempDir(), "k"),
		"--out", filepath.Join(t.TempDir(), "x.db")}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %v, want a pointer to pg_dump", err)
	}
}

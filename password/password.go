// Package password hashes and checks passwords with argon2id.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Parameters chosen to cost ~30–40 ms on a 2-core machine (docs/security.md).
const (
	memoryKiB = 19 * 1024
	timeCost  = 2
	threads   = 1
	keyLen    = 32
	saltLen   = 16
)

// sem bounds concurrent hashing: each hash holds ~19 MiB, and a burst of
// sign-ins must not exhaust memory or starve page requests of CPU.
var sem = make(chan struct{}, max(1, runtime.NumCPU()))

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("password: mismatch")

// Hash returns an encoded argon2id hash of pw with a random salt.
func Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := derive(ctx, pw, salt, memoryKiB, timeCost, threads)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", memoryKiB, timeCost, threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify checks pw against an encoded hash in constant time. It returns
// ErrMismatch for a wrong password.
func Verify(ctx context.Context, pw, encoded string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("password: unknown hash format")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return fmt.Errorf("password: bad parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return err
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return err
	}
	got, err := derive(ctx, pw, salt, m, t, p)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

func derive(ctx context.Context, pw string, salt []byte, m, t uint32, p uint8) ([]byte, error) {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-sem }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, keyLen), nil
}

// dummyHash is verified against when an account does not exist, so that an
// unknown email costs the same time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := Hash(context.Background(), "patchwork-dummy-password")
	if err != nil {
		panic(err)
	}
	return h
})

// VerifyDummy spends the time of one verification and always fails.
func VerifyDummy(ctx context.Context, pw string) error {
	_ = Verify(ctx, pw, dummyHash())
	return ErrMismatch
}

package password

import (
	"context"
	"errors"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h, err := Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := Hash(ctx, "correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if err := Verify(ctx, "correct horse battery", h); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := Verify(ctx, "correct horse batterY", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	if err := Verify(ctx, "x", "$bcrypt$nope"); err == nil || errors.Is(err, ErrMismatch) {
		t.Fatalf("malformed hash: %v", err)
	}
	if err := VerifyDummy(ctx, "x"); !errors.Is(err, ErrMismatch) {
		t.Fatal("dummy verification succeeded")
	}
}

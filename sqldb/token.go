package sqldb

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// newNonce returns 32 random bytes as hex: the seed of a one-time token.
func newNonce() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// ResetToken is the password-reset token that a reset's nonce stands for:
// an HMAC of the nonce with the deployment secret. The database keeps the
// nonce and the token's SHA-256, never the token, and the worker derives
// the token again to put it in the email, so no copy of a live token rests
// anywhere (not even in the job's payload). Reading the database without
// the secret gives no usable link.
func ResetToken(secret []byte, nonce string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("password-reset|" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SignupToken is the sign-up token that a sign-up's nonce stands for, made
// and kept like a reset token (see ResetToken); the different label keeps
// one kind of token from ever being taken for the other.
func SignupToken(secret []byte, nonce string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("signup|" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

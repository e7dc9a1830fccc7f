package sqldb

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// TOTP secrets are encrypted at rest with AES-256-GCM under a key derived
// from the audit key (HMAC-SHA-256 of a fixed label), so that someone who
// reads the database — a stolen backup, an SQL injection — gets no secret
// they could generate codes with: the audit key lives outside the database
// (docs/security.md). The agent's id is the additional data, so a sealed
// secret copied onto another agent's row does not open.

const twoFactorKeyLabel = "patchwork two-factor secrets v1"

// sealedPrefix names the scheme, so that a later one can be told apart.
const sealedPrefix = "v1:"

var errSealed = errors.New("sqldb: two-factor secret does not open with this deployment's key")

func (db *DB) twoFactorAEAD() (cipher.AEAD, error) {
	key := db.chain.key
	if key == nil {
		return nil, errNoAuditKey
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(twoFactorKeyLabel))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealSecret encrypts agentID's TOTP secret for storage.
func (db *DB) sealSecret(agentID int64, secret string) (string, error) {
	aead, err := db.twoFactorAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := aead.Seal(nonce, nonce, []byte(secret), []byte(strconv.FormatInt(agentID, 10)))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// openSecret decrypts a secret sealed by sealSecret for agentID.
func (db *DB) openSecret(agentID int64, stored string) (string, error) {
	aead, err := db.twoFactorAEAD()
	if err != nil {
		return "", err
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(stored, sealedPrefix))
	if err != nil || !strings.HasPrefix(stored, sealedPrefix) || len(b) < aead.NonceSize() {
		return "", errSealed
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(strconv.FormatInt(agentID, 10)))
	if err != nil {
		return "", errSealed
	}
	return string(plain), nil
}

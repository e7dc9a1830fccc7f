package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuiltInTLS: with --tls-cert and --tls-key, serve speaks HTTPS only,
// and its session cookie is Secure even on a loopback address.
func TestBuiltInTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	site := startServe(t, []string{"--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "pw.db"),
		"--tls-cert", certFile, "--tls-key", keyFile}, "Patchwork is running")[0]
	if !strings.HasPrefix(site, "https://") {
		t.Fatalf("serve printed %s, want an https URL", site)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(site+"/login", url.Values{"email": {"agent1@patchwork.test"}, "password": {"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in over HTTPS: %d", res.StatusCode)
	}
	if sc := res.Header.Get("Set-Cookie"); !strings.Contains(sc, "Secure") {
		t.Errorf("session cookie over HTTPS is not Secure: %s", sc)
	}
	if res, err := http.Get("http" + strings.TrimPrefix(site, "https") + "/login"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("the TLS listener answered plain HTTP")
		}
	}
}

// TestACMEConfig: with --acme-domains, certificates are asked for only for
// the named domains — a handshake naming another host is refused before any
// authority is contacted.
func TestACMEConfig(t *testing.T) {
	o := &tlsOpts{acmeDomains: "patchwork.example.org", acmeCache: t.TempDir()}
	cfg, challenges, err := o.config(filepath.Join(t.TempDir(), "pw.db"))
	if err != nil {
		t.Fatal(err)
	}
	if challenges == nil {
		t.Fatal("no handler for the HTTP challenges")
	}
	if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "evil.example.com"}); err == nil ||
		!strings.Contains(err.Error(), "not configured") {
		t.Fatalf("certificate for an unlisted host: %v", err)
	}
	if _, _, err := (&tlsOpts{acmeDomains: "a.example", cert: "c"}).config("x.db"); err == nil {
		t.Error("both ACME and certificate files accepted")
	}
	if _, _, err := (&tlsOpts{cert: "c"}).config("x.db"); err == nil {
		t.Error("a certificate without its key accepted")
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

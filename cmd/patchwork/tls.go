package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// tlsOpts are serve's built-in TLS settings, for a single server without a
// proxy in front: certificate files, or certificates from an ACME
// authority (Let's Encrypt) for the named domains.
type tlsOpts struct {
	cert, key               string
	acmeDomains, acmeCache  string
	acmeEmail, acmeHTTPAddr string
}

func tlsFlags(fs *flag.FlagSet) *tlsOpts {
	o := &tlsOpts{}
	fs.StringVar(&o.cert, "tls-cert", envOr("PATCHWORK_TLS_CERT", ""), "serve HTTPS with this certificate file (PEM, with --tls-key) (env PATCHWORK_TLS_CERT)")
	fs.StringVar(&o.key, "tls-key", envOr("PATCHWORK_TLS_KEY", ""), "the certificate's private key file (PEM) (env PATCHWORK_TLS_KEY)")
	fs.StringVar(&o.acmeDomains, "acme-domains", envOr("PATCHWORK_ACME_DOMAINS", ""),
		"serve HTTPS with certificates from Let's Encrypt for these comma-separated domains; needs ports 443 (--addr) and 80 (--acme-http-addr) reachable (env PATCHWORK_ACME_DOMAINS)")
	fs.StringVar(&o.acmeCache, "acme-cache", envOr("PATCHWORK_ACME_CACHE", ""),
		"directory for ACME account keys and certificates; default: acme-certs next to the SQLite file (env PATCHWORK_ACME_CACHE)")
	fs.StringVar(&o.acmeEmail, "acme-email", envOr("PATCHWORK_ACME_EMAIL", ""), "contact address given to the ACME authority (env PATCHWORK_ACME_EMAIL)")
	fs.StringVar(&o.acmeHTTPAddr, "acme-http-addr", envOr("PATCHWORK_ACME_HTTP_ADDR", ":80"),
		"with --acme-domains, the plain-HTTP listener that answers the authority's challenges and redirects everyone else to HTTPS (env PATCHWORK_ACME_HTTP_ADDR)")
	return o
}

func (o *tlsOpts) enabled() bool { return o.cert != "" || o.key != "" || o.acmeDomains != "" }

// config returns the TLS configuration, and for ACME the handler the
// plain-HTTP listener serves (challenges, then a redirect to HTTPS).
func (o *tlsOpts) config(dsn string) (*tls.Config, http.Handler, error) {
	switch {
	case o.acmeDomains != "" && (o.cert != "" || o.key != ""):
		return nil, nil, errors.New("give either --tls-cert and --tls-key or --acme-domains, not both")
	case o.acmeDomains != "":
		var domains []string
		for _, d := range strings.Split(o.acmeDomains, ",") {
			if d = strings.TrimSpace(d); d != "" {
				domains = append(domains, d)
			}
		}
		cache := o.acmeCache
		if cache == "" {
			if strings.HasPrefix(dsn, "postgres") {
				return nil, nil, errors.New("--acme-domains on PostgreSQL needs --acme-cache (and several instances should terminate TLS at the load balancer instead)")
			}
			cache = filepath.Join(filepath.Dir(dsn), "acme-certs")
		}
		m := &autocert.Manager{Prompt: autocert.AcceptTOS, Cache: autocert.DirCache(cache),
			HostPolicy: autocert.HostWhitelist(domains...), Email: o.acmeEmail}
		cfg := m.TLSConfig()
		cfg.MinVersion = tls.VersionTLS12
		return cfg, m.HTTPHandler(nil), nil
	case o.cert == "" || o.key == "":
		return nil, nil, errors.New("--tls-cert and --tls-key go together")
	default:
		pair, err := tls.LoadX509KeyPair(o.cert, o.key)
		if err != nil {
			return nil, nil, fmt.Errorf("TLS certificate: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12,
			NextProtos: []string{"h2", "http/1.1"}}, nil, nil
	}
}

// serveACMEHTTP answers ACME challenges and redirects plain HTTP to HTTPS.
func serveACMEHTTP(addr string, h http.Handler, log *slog.Logger) *http.Server {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ACME HTTP listener", "err", err)
		}
	}()
	return srv
}

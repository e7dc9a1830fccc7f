// Package ui embeds Patchwork's HTML templates and static files.
//
// Static files are served at content-hashed URLs (/static/<hash>/<name>) so
// that browsers may cache them for ever and still see every new release.
package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
)

//go:embed templates
var templates embed.FS

//go:embed static
var static embed.FS

// Templates returns the template files, rooted at the templates folder.
func Templates() fs.FS {
	sub, err := fs.Sub(templates, "templates")
	if err != nil {
		panic(err)
	}
	return sub
}

// Static returns the static files, rooted at the static folder.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// StaticURLs maps each static file name (such as "app.css") to its
// content-hashed URL.
func StaticURLs() (map[string]string, error) {
	urls := map[string]string{}
	err := fs.WalkDir(Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		urls[p] = path.Join("/static", hex.EncodeToString(sum[:6]), p)
		return nil
	})
	return urls, err
}

//go:embed terms/default.txt
var defaultTerms string

// DefaultTerms returns the terms of use Patchwork ships with, for a
// deployment that names no terms file of its own.
func DefaultTerms() string { return defaultTerms }

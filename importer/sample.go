package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"patchwork/sqldb"
)

// sampleSyllables spell the sample names, so that no two rows are alike.
var sampleSyllables = []string{"ba", "ke", "mo", "ri", "tu", "la", "ne", "so", "vi", "du", "ga", "pe", "zo", "fi", "hu", "ja", "we", "xo", "yi", "cu"}

func sampleName(i int, suffix string) string {
	var b strings.Builder
	for range 4 {
		b.WriteString(sampleSyllables[i%len(sampleSyllables)])
		i /= len(sampleSyllables)
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:] + suffix
}

// WriteSampleClients writes a client file of n made-up rows to path, each
// with an external_id, a local area and three members from db's agents:
// the file the import's performance is measured on (docs/performance.md).
func WriteSampleClients(ctx context.Context, db *sqldb.DB, path string, n int) error {
	l, err := db.FindImportLookups(ctx)
	if err != nil {
		return err
	}
	var areas, agents []string
	for a := range l.LocalAreas {
		areas = append(areas, a)
	}
	for a := range l.Agents {
		agents = append(agents, a)
	}
	sort.Strings(areas)
	sort.Strings(agents)
	if len(agents) < 3 || len(areas) == 0 {
		return errors.New("the database needs at least three agents and a local area (run patchwork demo first)")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	_ = w.Write([]string{"external_id", "first_name", "last_name", "date_of_birth", "aliases", "address", "postcode", "phone", "local_area", "member_emails"})
	start := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		members := []string{agents[i%len(agents)], agents[(i+1)%len(agents)], agents[(i+2)%len(agents)]}
		_ = w.Write([]string{"S" + strconv.Itoa(i+1), sampleName(i, ""), sampleName(i*7+3, "son"),
			start.AddDate(0, 0, i%25000).Format("2/1/2006"), "", fmt.Sprintf("%d Sample Road", i+1), "AB1 2CD", "01234 567890",
			areas[i%len(areas)], strings.Join(members, ";")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
